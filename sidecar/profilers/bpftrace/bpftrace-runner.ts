// Runs bpftrace on an already scoped program for a bounded time: its output goes to a file up to a size
// cap, the duration counts from the moment its probes are attached, and every stop is a SIGINT (bpftrace
// prints its maps then) followed by SIGKILL after a grace period. Never with --unsafe.
//
// When a SIGINT lands matters. Before bpftrace installs its handler, SIGINT kills it and the maps are lost;
// in the moments between installing it and polling its events (about 0.1 s, longer on a loaded node),
// bpftrace 0.17 drops the signal and runs on; once it prints its maps, the handler is gone again and a
// second SIGINT would cut them short. So a stop sends SIGINT only while /proc/PID/status shows the handler
// installed, and sends it again each half second for as long as the handler stays: bpftrace still in its
// loop after that long did not get the first one.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { stderrExcerpt } from '../perf/perf-runner.ts';
import type { LoopTimers, SpawnFn } from '../../host/runtime.ts';

export interface BpftraceRunOptions {
  bpftracePath: string;
  /** The scoped program (core/bpftrace/scope.ts), as a file. */
  programFile: string;
  /** Where bpftrace's standard output goes (the bpftrace.txt artifact). */
  outputFile: string;
  durationSeconds: number;
  /** Bytes of output kept; past them bpftrace is stopped. */
  maxBytes: number;
  /** How long bpftrace may take to compile and attach before the duration counts anyway, ms. */
  startupMs?: number;
  /** How long bpftrace gets to print its maps after SIGINT before it is killed, ms. */
  killAfterMs?: number;
  /** How often a stop checks whether bpftrace still waits for its SIGINT, ms. */
  resendMs?: number;
}

export type BpftraceStopReason = 'stopped' | 'deadline' | 'size-cap' | 'exited';

export interface BpftraceRunResult {
  reason: BpftraceStopReason;
  /** bpftrace ended by itself (exit()) or after our SIGINT with status 0, so its output is complete. */
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  /** The end of bpftrace's stderr, without its harmless RLIMIT_MEMLOCK notice. */
  stderr: string;
  bytes: number;
}

export interface BpftraceRun {
  stop(reason?: BpftraceStopReason): void;
  done: Promise<BpftraceRunResult>;
}

const STDERR_KEEP = 4000;
/** Printed by bpftrace 0.17 wherever it cannot raise the locked-memory limit; BPF maps are memcg-charged now. */
const MEMLOCK_NOTICE = /^.*couldn't set RLIMIT_MEMLOCK.*$\n?/gm;

/** Whether a process has a handler installed for SIGINT: bit 1 of the SigCgt mask in /proc/PID/status. */
export async function catchesSigint(pid: number, procRoot = '/proc'): Promise<boolean> {
  const status = await readFile(`${procRoot}/${pid}/status`, 'utf8').catch(() => '');
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & 2n) !== 0n;
}

export function bpftraceArgs(options: Pick<BpftraceRunOptions, 'programFile'>): string[] {
  return [options.programFile];
}

/** The stderr worth showing: bpftrace's own messages, less the notice it prints on every start. */
export function bpftraceStderr(stderr: string): string {
  return stderrExcerpt(stderr.replace(MEMLOCK_NOTICE, ''), 2000);
}

export function startBpftrace(
  deps: { spawn: SpawnFn; timers: LoopTimers; catchesSigint?: (pid: number) => Promise<boolean> },
  options: BpftraceRunOptions,
): BpftraceRun {
  const child = deps.spawn(options.bpftracePath, bpftraceArgs(options), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(options.outputFile);
  const handles: unknown[] = [];
  let stderr = '';
  let bytes = 0;
  let attached = false;
  let reason: BpftraceStopReason | undefined;
  let exited = false;

  let signalled = false;
  const durationMs = options.durationSeconds * 1000;
  const startupMs = options.startupMs ?? 60_000;
  const killAfterMs = options.killAfterMs ?? 15_000;
  const handlerInstalled = deps.catchesSigint ?? ((pid: number) => catchesSigint(pid));
  let killed = false;
  const kill = (): void => {
    if (exited || killed) return;
    killed = true;
    child.kill('SIGKILL');
  };

  /** Sends SIGINT while bpftrace's handler is installed, until it leaves its loop (or is killed). */
  const interrupt = async (): Promise<void> => {
    while (!exited && !killed) {
      const pid = child.pid;
      if (pid !== undefined && (await handlerInstalled(pid)) && !exited && !killed) {
        child.kill('SIGINT');
        if (!signalled) handles.push(deps.timers.setTimeout(kill, killAfterMs));
        signalled = true;
      } else if (signalled) return; // the handler is gone: bpftrace is printing its maps
      await new Promise<void>((resolve) =>
        handles.push(deps.timers.setTimeout(resolve, options.resendMs ?? 500)),
      );
    }
  };
  const stop = (why: BpftraceStopReason = 'stopped'): void => {
    if (exited || reason !== undefined) return;
    reason = why;
    // Still compiling: the SIGINT waits for the handler, and a bpftrace that never installs it is killed.
    if (!attached) handles.push(deps.timers.setTimeout(kill, startupMs + killAfterMs));
    void interrupt();
  };
  handles.push(deps.timers.setTimeout(() => stop('deadline'), durationMs + startupMs));

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEEP)));
  child.stdout?.on('data', (chunk: Buffer) => {
    if (!attached && chunk.includes('Attaching')) {
      attached = true;
      handles.push(deps.timers.setTimeout(() => stop('deadline'), durationMs));
    }
    const room = options.maxBytes - bytes;
    if (room > 0) file.write(chunk.subarray(0, room));
    bytes += Math.min(room, chunk.length);
    if (chunk.length > room) stop('size-cap');
  });

  const done = new Promise<BpftraceRunResult>((resolve) => {
    const finish = (exitCode: number | null, signal: string | null, spawnError?: Error): void => {
      if (exited) return;
      exited = true;
      for (const handle of handles) deps.timers.clearTimeout(handle);
      if (spawnError !== undefined) {
        const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        stderr += missing
          ? `\n${options.bpftracePath} is not installed or not on PATH (Debian and Ubuntu: apt-get install bpftrace)`
          : `\n${spawnError.message}`;
      }
      const ok = spawnError === undefined && exitCode === 0;
      file.end();
      void finished(file)
        .catch(() => undefined)
        .then(() =>
          resolve({
            reason: reason ?? 'exited',
            ok,
            exitCode,
            signal,
            stderr: bpftraceStderr(stderr),
            bytes,
          }),
        );
    };
    child.on('error', (error: Error) => finish(null, null, error));
    child.on('close', (code: number | null, signal: string | null) => finish(code, signal));
  });
  return { stop, done };
}
