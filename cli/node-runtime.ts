// The Node a verb needs. The verbs that reach a cluster load @kubernetes/client-node 2.x, whose bundled
// undici needs Node 22.19 or newer (on Node 20 its import throws). From a checkout, such a verb runs
// itself again on the Node 24 that scripts/with-node24.sh keeps (fetched once, as `npm start` does);
// where that script is not beside the command (an installed package), it says in one line what to install.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './io.ts';

/** @kubernetes/client-node's engines field. */
export const KUBE_CLIENT_NODE = '22.19.0';

/** Set in the environment of the run on Node 24, so that it never runs itself again. */
const RERUN_ENV = 'FURNACE_CLI_NODE_RERUN';

/** Whether `version` (x.y.z) is at least `minimum`. */
export function nodeAtLeast(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const want = minimum.split('.').map(Number);
  for (let i = 0; i < want.length; i += 1) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** The one line for a Node too old for `verb`. */
export function nodeTooOldLine(verb: string, version: string, offersServer: boolean): string {
  const local = offersServer ? ', or pass --server to reach a local Furnace (npm start)' : '';
  return `furnace ${verb}: this command needs Node ${KUBE_CLIENT_NODE} or newer (it reaches the cluster through @kubernetes/client-node) and this is Node ${version}: install Node 24 (https://nodejs.org)${local}\n`;
}

/** scripts/with-node24.sh of the checkout this module is in (from cli/ or dist/cli/), if there is one. */
function withNode24Script(): string | undefined {
  return ['../scripts/with-node24.sh', '../../scripts/with-node24.sh']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((path) => existsSync(path));
}

/** Runs this command again through with-node24.sh; resolves with its exit code. */
function rerun(script: string): Promise<number> {
  const args = [script, 'node', ...process.execArgv, process.argv[1] ?? '', ...process.argv.slice(2)];
  const child = spawn('bash', args, { stdio: 'inherit', env: { ...process.env, [RERUN_ENV]: '1' } });
  // A terminal's Ctrl-C reaches the child itself (same process group); a SIGTERM sent here is passed on.
  const ignore = (): void => {};
  const forward = (): void => void child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

/**
 * Undefined when this Node can run `verb`; else the exit code of its run on Node 24 (from a checkout), or
 * 1 after the one line that says what to install.
 */
export async function runOnNodeFor(
  verb: string,
  io: CliIo,
  options: { offersServer: boolean; version?: string },
): Promise<number | undefined> {
  const version = options.version ?? process.versions.node;
  if (nodeAtLeast(version, KUBE_CLIENT_NODE)) return undefined;
  const script = withNode24Script();
  if (script !== undefined && process.env[RERUN_ENV] === undefined) return rerun(script);
  io.stderr.write(nodeTooOldLine(verb, version, options.offersServer));
  return 1;
}
