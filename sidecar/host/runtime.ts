// What the sidecar needs of its process's surroundings, passed in as dependencies so tests can run
// real commands or small fakes: spawning children, running a command to completion, and timers.
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

/** The part of a child process the sidecar uses; node's ChildProcess fits, and so does a test fake. */
export interface ChildLike extends EventEmitter {
  pid?: number | undefined;
  /** Only with stdio[0] 'pipe' (perf script started ahead, waiting for a line to go: perf-script-launch.ts). */
  stdin?: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
}

export type SpawnFn = (
  command: string,
  args: readonly string[],
  /**
   * stdin: nothing, another child's stdout (continuous profiling's perf record | perf script), or a pipe
   * the sidecar writes (perf script started ahead of the stop).
   */
  options: { stdio: ['ignore' | 'pipe' | Readable, 'ignore' | 'pipe', 'pipe']; env?: NodeJS.ProcessEnv },
) => ChildLike;

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type RunCommand = (
  command: string,
  args: readonly string[],
  /** Variables added to the environment the command runs in. */
  env?: NodeJS.ProcessEnv,
  /** Kills the command (SIGKILL) when aborted. */
  signal?: AbortSignal,
) => Promise<CommandResult>;

/** The clock and timers of a loop (registration, uploads, pollers). */
export interface LoopTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
