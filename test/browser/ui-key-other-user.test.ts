// Issue "Edges and trust, round three", item 8: the key of `kubectl furnace ui` (and of `npm start`'s local
// mode) leaked to another user of the machine in two ways: the browser was started with the key on its
// command line, which every user reads in /proc/PID/cmdline, and the key's cookie was set for 127.0.0.1,
// which the browser also sends to every other loopback port, such as one the other user listens on.
// Played with a real second user (a system user made for the test), a real `furnace ui` run, the real
// local-mode server and a real chromium; $BROWSER is a script that stands in for the desktop's browser
// launcher (it keeps the argument it was given, on its own command line, as a browser does).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright';
import { withPage } from '../harness/browser.ts';
import { eventually } from '../harness/eventually.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { listenAs, otherUser, runAs, type OtherListener } from '../harness/other-user.ts';
import { startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const TSX = import.meta.resolve('tsx');

/** A browser launcher that records its argument and stays, its argument on its command line. */
async function fakeLauncher(dir: string): Promise<string> {
  const launcher = join(dir, 'browser');
  await writeFile(
    launcher,
    `#!/bin/sh\necho $$ > "${dir}/pid"\nprintf '%s' "$1" > "${dir}/opened"\nsleep 300\n`,
    {
      mode: 0o755,
    },
  );
  return launcher;
}

/** Sends the browser to the other user's port on every loopback name, as a link in any page could. */
async function visitOtherPort(page: Page, listener: OtherListener): Promise<string> {
  for (const host of ['127.0.0.1', 'localhost']) await page.goto(`http://${host}:${listener.port}/`);
  return listener.received();
}

async function stopGroup(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (pid > 0) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

async function startUi(t: TestContext, dir: string, server: { baseUrl: string; dir: string }) {
  const launcher = await fakeLauncher(dir);
  t.after(() => stopGroup(join(dir, 'pid')));
  const ui = startProcess(
    t,
    process.execPath,
    [
      '--import',
      TSX,
      `${PROJECT_ROOT}/cli/furnace.ts`,
      'ui',
      '--server',
      server.baseUrl,
      '--key-file',
      `${server.dir}/data/local-key`,
    ],
    { cleanEnv: true, cwd: dir, env: { HOME: dir, BROWSER: launcher } },
  );
  const printed = await eventually(
    () => Promise.resolve(/Furnace UI at \S+\?furnace-key=([\w-]+) /.exec(ui.output()) ?? undefined),
    30_000,
    'furnace ui to print its URL',
  );
  const opened = await eventually(
    () => readFile(join(dir, 'opened'), 'utf8').catch(() => undefined),
    10_000,
    'the browser launcher to be started',
  );
  return { key: printed[1] ?? '', opened };
}

describe('the UI key and another user of the machine', () => {
  it('kubectl furnace ui: the key is on no command line and its cookie reaches no other loopback port', async (t) => {
    const user = await otherUser();
    const server = await startLocalServer(t, { localSidecar: false });
    const dir = await tempDir(t, 'furnace-ui-launch-');
    const { key, opened } = await startUi(t, dir, server);
    assert.match(key, /^[\w-]{43}$/);

    const commandLines = await runAs(
      user,
      'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done 2>/dev/null',
    );
    assert.ok(commandLines.includes(`${dir}/browser`), "the other user reads the launcher's command line");
    assert.ok(!commandLines.includes(key), 'no command line carries the key');
    const openedPath = new URL(opened).pathname;
    await assert.rejects(
      runAs(user, `cat '${openedPath}'`),
      /Permission denied/,
      'the other user cannot read the file the browser was given',
    );

    const listener = await listenAs(t, user);
    await withPage(t, async (page) => {
      await page.goto(opened);
      await page.waitForURL((url) => url.hostname.endsWith('.localhost') && url.search === '', {
        timeout: 30_000,
      });
      await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });
      const received = await visitOtherPort(page, listener);
      assert.match(received, /^GET \/ HTTP/m, "the other user's listener was visited");
      assert.ok(!received.includes(key), `the other user's port received the key:\n${received}`);
    });
  });

  it("npm start: the printed URL opens the UI, and the key's cookie reaches no other loopback port", async (t) => {
    const user = await otherUser();
    const server = await startLocalServer(t, { localSidecar: false });
    const listener = await listenAs(t, user);
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl('/'));
      await page.waitForURL(`${server.uiUrl}/`, { timeout: 10_000 }); // the key left the address bar
      await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });
      const received = await visitOtherPort(page, listener);
      assert.match(received, /^GET \/ HTTP/m, "the other user's listener was visited");
      assert.ok(!received.includes(server.key), `the other user's port received the key:\n${received}`);
    });
  });
});
