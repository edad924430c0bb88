// node:child_process as test code may use it: the same functions, each checking its command against the
// command table (commands.ts) before it starts anything. Test code imports these, never node:child_process
// (test/unit/deploy/command-table.test.ts fails on such an import), so no start goes around the table.
// exec and execSync are left out on purpose: a shell command line names no command the check could read.
import * as childProcess from 'node:child_process';
import { promisify } from 'node:util';
import { checkCommand } from './commands.ts';

export type { ChildProcess, SpawnOptions } from 'node:child_process';

type Start = (command: string, ...rest: never[]) => unknown;

function stringArgs(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((arg): arg is string => typeof arg === 'string') : [];
}

/**
 * `start` with the table check in front of it, with the same signature. A refused command throws at the
 * call, the promise form too: a caller's .catch, there for a command that may fail, must not swallow it.
 */
function checked<F extends Start>(start: F): F {
  const guarded = (command: string, ...rest: never[]): unknown => {
    checkCommand(command, stringArgs(rest[0]));
    return start(command, ...rest);
  };
  return guarded as unknown as F;
}

export const spawn = checked(childProcess.spawn);
export const spawnSync = checked(childProcess.spawnSync);
export const execFileSync = checked(childProcess.execFileSync);
// promisify(execFile) resolves with { stdout, stderr } through a property of node's own execFile that a
// wrapper does not have: the checked promise form is attached the documented way instead.
export const execFile = Object.assign(checked(childProcess.execFile), {
  [promisify.custom]: checked(promisify(childProcess.execFile)),
});

/** fork starts Node (process.execPath, or options.execPath) on a module. */
export const fork = ((modulePath: string | URL, ...rest: unknown[]) => {
  const options = rest.find((value) => typeof value === 'object' && value !== null && !Array.isArray(value));
  checkCommand((options as childProcess.ForkOptions | undefined)?.execPath ?? process.execPath);
  return (childProcess.fork as (...args: unknown[]) => childProcess.ChildProcess)(modulePath, ...rest);
}) as typeof childProcess.fork;
