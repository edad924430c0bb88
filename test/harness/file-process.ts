// One node:test process of test/harness/run-files.ts: started in a process group of its own, its output kept
// (and printed as it comes when live), stopped with its group at its limit.
import { spawn } from './child-processes.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';

const KILL_GRACE_MS = 10_000;
const running = new Set<number>();

export interface ProcessEnd {
  /** The exit code; null when a signal ended it. */
  code: number | null;
  timedOut: boolean;
  seconds: number;
  output: string;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

/** Stops every group still running (the runner itself was told to stop). */
export function stopAll(): void {
  for (const pid of running) killGroup(pid, 'SIGTERM');
}

/**
 * Runs `node ...args` (TypeScript as TYPESCRIPT_NODE_ARGS runs it) in the project's root until it ends or runs past limitSeconds; `what` names
 * it in the line that says it was stopped.
 */
export function runTestProcess(
  args: string[],
  limitSeconds: number,
  live: boolean,
  what: string,
): Promise<ProcessEnd> {
  const started = process.hrtime.bigint();
  // Without node:test's marker of a file run by a runner, should this runner itself run inside a test.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  // A group of its own, so that the limit stops the process and whatever it started in the foreground.
  const child = spawn(process.execPath, [...TYPESCRIPT_NODE_ARGS, ...args], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) running.add(pid);
  let output = '';
  const take = (chunk: string): void => {
    output += chunk;
    if (live) process.stdout.write(chunk);
  };
  child.stdout.setEncoding('utf8').on('data', take);
  child.stderr.setEncoding('utf8').on('data', take);
  let timedOut = false;
  const limit = setTimeout(() => {
    if (pid === undefined) return;
    timedOut = true;
    killGroup(pid, 'SIGTERM');
    setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  }, limitSeconds * 1000);
  return new Promise((resolve) => {
    child.once('error', (error) => (output += `\ncould not start the test process: ${String(error)}\n`));
    child.once('close', (code) => {
      clearTimeout(limit);
      if (pid !== undefined) running.delete(pid);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (timedOut) {
        output += `\n✖ ${what} ran past its limit of ${limitSeconds} s (test/harness/test-budgets.ts) and was stopped\n`;
      }
      resolve({ code, timedOut, seconds, output });
    });
  });
}
