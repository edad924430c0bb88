// Processes for tests: ones that live as long as a test (stopped by PID when it ends), detached ones
// that may outlive the caller (the control plane, simulated pods), and a few /proc helpers.
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { execFile, spawn, type ChildProcess } from './child-processes.ts';
import { checkCommand } from './commands.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { identifySpawned, isSameProcess, type ProcessIdentity } from './process-identity.ts';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';
import { NODE_CACHE_ENV } from './node-ts.ts';

/**
 * Runs a command to completion; rejects with its stderr when it fails. Like every start here, the command
 * must be in test/commands.tsv (child-processes.ts checks).
 */
export const run = promisify(execFile);

export interface StartOptions {
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Keep only PATH and HOME of this process's environment, so that nothing of the caller's shell leaks in. */
  cleanEnv?: boolean;
  cwd?: string;
  /**
   * Start it as the leader of a new process group, as a shell starts a command: `interrupt()` then sends
   * SIGINT to the whole group, which is what Ctrl-C in a terminal does, and stop() signals the group.
   */
  processGroup?: boolean;
}

export interface RunningProcess {
  child: ChildProcess;
  pid: number;
  /** What the process wrote to stdout and stderr so far. */
  output: () => string;
  /** The exit code once the process has exited; null when a signal ended it. */
  exited: Promise<number | null>;
  /** SIGTERM to its PID, SIGKILL after graceMs; resolves with the exit code. */
  stop: (graceMs?: number) => Promise<number | null>;
  /** Ctrl-C: SIGINT to its process group (with `processGroup`), else to its PID. */
  interrupt: () => void;
}

const STOP_GRACE_MS = 15_000;

/**
 * Starts a process for the length of a test: its output is kept, and when the test ends it gets
 * SIGTERM by its PID (SIGKILL if it is still there after the grace period). With FURNACE_TEST_VERBOSE
 * set, the output of a process that exits with an error code is printed.
 */
export function startProcess(
  t: Pick<TestContext, 'after'>,
  command: string,
  args: string[],
  options: StartOptions = {},
): RunningProcess {
  const base = options.cleanEnv
    ? { ...NODE_CACHE_ENV, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' }
    : process.env;
  const child = spawn(command, args, {
    env: { ...base, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.processGroup ? { detached: true } : {}),
  });
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', () => {}); // reported by the throw below
    throw new Error(`could not start ${command}: is it installed and on PATH?`);
  }
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then((code) => {
    if (code !== 0 && code !== null && process.env.FURNACE_TEST_VERBOSE) {
      process.stderr.write(`${command} exited with ${code}:\n${output}\n`);
    }
  });
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (options.processGroup) process.kill(-pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  const stop = async (graceMs = STOP_GRACE_MS): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  t.after(() => stop());
  return { child, pid, output: () => output, exited, stop, interrupt: () => signal('SIGINT') };
}

/**
 * A Furnace part as a checkout runs it: `node <args>` from the TypeScript sources in the project root,
 * with only PATH, HOME and env in its environment. nodeArgs [] with a dist/ script runs compiled JavaScript.
 */
export function startFurnace(
  t: TestContext,
  args: string[],
  env: Record<string, string>,
  nodeArgs: readonly string[] = TYPESCRIPT_NODE_ARGS,
): RunningProcess {
  return startProcess(t, process.execPath, [...nodeArgs, ...args], {
    env,
    cleanEnv: true,
    cwd: PROJECT_ROOT,
  });
}

export interface DetachedProcess extends ProcessIdentity {
  logPath: string;
}

/**
 * Starts a process detached from this one, output to logPath, so it can outlive the caller. Its identity
 * (PID and start time) is what stopPid takes.
 */
export function startDetached(
  command: string,
  args: string[],
  logPath: string,
  env?: NodeJS.ProcessEnv,
): DetachedProcess {
  checkCommand(command, args); // before the log file: a refused command leaves nothing behind
  const fd = openSync(logPath, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: env ?? process.env,
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    const identity = identifySpawned(child.pid, command);
    child.unref();
    return { ...identity, logPath };
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. Only the process `target`
 * names: when its PID is gone or names a process with another start time (the PID was reused), nothing
 * is signalled; that is checked again before the SIGKILL.
 */
export async function stopPid(target: ProcessIdentity, graceMs = 5000): Promise<void> {
  if (!signalProcess(target, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isSameProcess(target) && Date.now() < deadline) await sleep(50);
  if (!signalProcess(target, 'SIGKILL')) return;
  while (isSameProcess(target)) await sleep(20);
}

/** Sends the signal when the PID still names the process; whether it did. */
export function signalProcess(target: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(target)) return false;
  try {
    process.kill(target.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The PIDs of a process's children, from /proc; none when the process is gone. */
export async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}
