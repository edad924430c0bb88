// Starts the desktop's browser on a URL that carries a secret (the forwarder's key) without putting the
// secret on any command line: every user of the machine can read every process's arguments
// (/proc/PID/cmdline). The browser is given a file instead, in a directory of this user's only (0700, the
// file 0600), whose page sends it on to the URL; the file is removed when the forwarder stops.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface OpenedBrowser {
  /** The file the browser was given (its path is all that is on the command line). */
  file: string;
  /** Removes the file and its directory. */
  close(): Promise<void>;
}

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page that sends the browser on to `url`; no referrer, so the key never leaves in a header. */
function redirectPage(url: string): string {
  const target = escapeAttribute(url);
  return [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${target}">`,
    '<title>Furnace</title>',
    `<p><a href="${target}">Open the Furnace UI</a></p>`,
    '',
  ].join('\n');
}

/** Opens `url` in $BROWSER (else xdg-open, or macOS open) through a private redirect file. */
export async function openBrowserPrivately(url: string, env = process.env): Promise<OpenedBrowser> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-ui-'));
  const file = join(dir, 'open.html');
  await writeFile(file, redirectPage(url), { mode: 0o600, flag: 'wx' });
  const command = env.BROWSER ?? (process.platform === 'darwin' ? 'open' : 'xdg-open');
  const child = spawn(command, [pathToFileURL(file).href], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
  return { file, close: () => rm(dir, { recursive: true, force: true }) };
}
