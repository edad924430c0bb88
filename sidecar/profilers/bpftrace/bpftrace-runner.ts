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
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { ChildLike, LoopTimers, SpawnFn } from '../../host/runtime.ts';
import { spawnFailureNote, stderrExcerpt } from '../tool-output.ts';

export interface BpftraceRunOptions {
  bpftracePath: string;
  /** The scoped program (core/bpftrace/scope.ts), as a file. */
  programFile: string;
  /** Where bpftrace's standard output goes (the bpftrace.txt artifact). */
  outputFile: string;
  durationSeconds: number;
  /** Bytes of output kept; past them bpftrace is stopped. */
  maxBytes: number;
  /** bpftrace's environment (BPFTRACE_MAP_KEYS_MAX bounds its maps); by default the recorder's own. */
  env?: NodeJS.ProcessEnv;
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

export interface BpftraceDeps {
  spawn: SpawnFn;
  timers: LoopTimers;
  catchesSigint?: (pid: number) => Promise<boolean>;
}

export function startBpftrace(deps: BpftraceDeps, options: BpftraceRunOptions): BpftraceRun {
  const run = new BpftraceProcess(deps, options);
  return { stop: (why) => run.stop(why), done: run.done };
}

/** One bpftrace child, from spawn to the result: its output capped, its stops as the header says. */
class BpftraceProcess {
  readonly done: Promise<BpftraceRunResult>;
  readonly #deps: BpftraceDeps;
  readonly #options: BpftraceRunOptions;
  readonly #child: ChildLike;
  readonly #file: WriteStream;
  readonly #handles: unknown[] = [];
  readonly #durationMs: number;
  readonly #startupMs: number;
  readonly #killAfterMs: number;
  #stderr = '';
  #bytes = 0;
  #attached = false;
  #reason: BpftraceStopReason | undefined;
  #exited = false;
  #signalled = false;
  #killed = false;

  constructor(deps: BpftraceDeps, options: BpftraceRunOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#durationMs = options.durationSeconds * 1000;
    this.#startupMs = options.startupMs ?? 60_000;
    this.#killAfterMs = options.killAfterMs ?? 15_000;
    const child = deps.spawn(options.bpftracePath, bpftraceArgs(options), {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    this.#child = child;
    this.#file = createWriteStream(options.outputFile);
    this.#handles.push(
      deps.timers.setTimeout(() => this.stop('deadline'), this.#durationMs + this.#startupMs),
    );
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.#stderr = (this.#stderr + chunk).slice(-STDERR_KEEP)));
    child.stdout?.on('data', (chunk: Buffer) => this.#output(chunk));
    this.done = new Promise<BpftraceRunResult>((resolve) => {
      child.on('error', (error: Error) => this.#finish(resolve, null, null, error));
      child.on('close', (code: number | null, signal: string | null) => this.#finish(resolve, code, signal));
    });
  }

  stop(why: BpftraceStopReason = 'stopped'): void {
    if (this.#exited || this.#reason !== undefined) return;
    this.#reason = why;
    // Still compiling: the SIGINT waits for the handler, and a bpftrace that never installs it is killed.
    if (!this.#attached)
      this.#handles.push(
        this.#deps.timers.setTimeout(() => this.#kill(), this.#startupMs + this.#killAfterMs),
      );
    void this.#interrupt();
  }

  #kill(): void {
    if (this.#exited || this.#killed) return;
    this.#killed = true;
    this.#child.kill('SIGKILL');
  }

  /** Sends SIGINT while bpftrace's handler is installed, until it leaves its loop (or is killed). */
  async #interrupt(): Promise<void> {
    const { timers } = this.#deps;
    const handlerInstalled = this.#deps.catchesSigint ?? ((pid: number) => catchesSigint(pid));
    while (!this.#exited && !this.#killed) {
      const pid = this.#child.pid;
      if (pid !== undefined && (await handlerInstalled(pid)) && !this.#exited && !this.#killed) {
        this.#child.kill('SIGINT');
        if (!this.#signalled) this.#handles.push(timers.setTimeout(() => this.#kill(), this.#killAfterMs));
        this.#signalled = true;
      } else if (this.#signalled) return; // the handler is gone: bpftrace is printing its maps
      await new Promise<void>((resolve) =>
        this.#handles.push(timers.setTimeout(resolve, this.#options.resendMs ?? 500)),
      );
    }
  }

  /** The duration counts from the probes' attachment; output past maxBytes is dropped and stops bpftrace. */
  #output(chunk: Buffer): void {
    if (!this.#attached && chunk.includes('Attaching')) {
      this.#attached = true;
      this.#handles.push(this.#deps.timers.setTimeout(() => this.stop('deadline'), this.#durationMs));
    }
    const room = this.#options.maxBytes - this.#bytes;
    if (room > 0) this.#file.write(chunk.subarray(0, room));
    this.#bytes += Math.min(room, chunk.length);
    if (chunk.length > room) this.stop('size-cap');
  }

  #finish(
    resolve: (result: BpftraceRunResult) => void,
    exitCode: number | null,
    signal: string | null,
    spawnError?: Error,
  ): void {
    if (this.#exited) return;
    this.#exited = true;
    for (const handle of this.#handles) this.#deps.timers.clearTimeout(handle);
    this.#stderr += spawnFailureNote(spawnError, this.#options.bpftracePath, 'bpftrace');
    const ok = spawnError === undefined && exitCode === 0;
    this.#file.end();
    void finished(this.#file)
      .catch(() => undefined)
      .then(() =>
        resolve({
          reason: this.#reason ?? 'exited',
          ok,
          exitCode,
          signal,
          stderr: bpftraceStderr(this.#stderr),
          bytes: this.#bytes,
        }),
      );
  }
}
