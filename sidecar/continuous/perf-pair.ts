// The long-lived pair of a plan: `perf record -o -` into `perf script -i -`, the record's stdout handed to
// the script as its stdin (no copy through the agent). Symbols are loaded once, by the one perf script;
// the node's processes are synthesized once, when perf record starts. Either perf ending ends the pair:
// a record without its reader is stopped, and `ended` resolves once both exited and the script's output was read.
// The script's output is read in paced batches (`readPauseMs`), not at each of its 4 KiB writes.
import type { Readable } from 'node:stream';
import type { ChildLike, SpawnFn } from '../host/runtime.ts';

export interface PerfPairInput {
  spawn: SpawnFn;
  recordCommand: { command: string; args: string[] };
  scriptCommand: { command: string; args: string[] };
  /** perf script's output, in chunks as they are read. */
  onOutput(chunk: Buffer): void;
  /** The longest pause between two reads of perf script's output (default READ_PAUSE_MAX_MS; 0: none). */
  maxReadPauseMs?: number;
}

export interface PerfPair {
  /** Stops perf record (SIGINT: it writes what it has); perf script then ends at its input's end. */
  stop(): void;
  /** Both perfs exited and every output chunk was passed on; why the pair ended. */
  ended: Promise<{ record: number | null; script: number | null; stderr: string }>;
}

function exitOf(child: ChildLike, name: string, stderr: { text: string }): Promise<number | null> {
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr.text = (stderr.text + chunk).slice(-2000)));
  return new Promise((resolve) => {
    child.on('error', (error: Error) => {
      stderr.text += `\n${name} could not start: ${error.message}`;
      resolve(null);
    });
    child.on('close', (code: number | null) => resolve(code));
  });
}

/** The longest pause between two reads of perf script's output (READ_PAUSE_MAX_MS). */
export const READ_PAUSE_MAX_MS = 500;
/** What a pause lets gather at the rate of the last read: half a pipe's 64 KiB, so perf script never waits. */
const READ_TARGET_BYTES = 32 << 10;

/**
 * How long to leave perf script's output unread after a read of `bytes` that gathered for `elapsedMs`:
 * long enough that the next read takes about READ_TARGET_BYTES at that rate, at most `maxMs`. perf script
 * writes 4 KiB at a time, so reading each write as it comes woke the agent 20 times a second at 19 Hz on
 * two busy CPUs; each wake-up of the agent is a context switch, which is what its CPU went to. Pure.
 */
export function readPauseMs(bytes: number, elapsedMs: number, maxMs: number): number {
  if (bytes <= 0) return maxMs;
  return Math.max(0, Math.min(maxMs, (READ_TARGET_BYTES * Math.max(elapsedMs, 1)) / bytes));
}

/** The part of a pipe's stream handle that stops and starts reading from the kernel (node's stream_wrap). */
interface ReadSwitch {
  readStop(): number;
  readStart(): number;
}

/**
 * The handle under a child's stdout, when it can stop reading. `Readable.pause()` does not stop it: node
 * goes on reading into the stream's buffer (64 KiB), waking for every write. Undefined for other streams.
 */
function readSwitchOf(stdout: Readable): ReadSwitch | undefined {
  const handle = (stdout as Readable & { _handle?: Partial<ReadSwitch> | null })._handle;
  return typeof handle?.readStop === 'function' && typeof handle.readStart === 'function'
    ? (handle as ReadSwitch)
    : undefined;
}

function outputDone(
  stdout: Readable | null,
  onOutput: (chunk: Buffer) => void,
  maxPauseMs: number,
): Promise<void> {
  if (stdout === null) return Promise.resolve();
  const handle = maxPauseMs > 0 ? readSwitchOf(stdout) : undefined;
  let lastRead = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  return new Promise((resolve) => {
    const done = () => {
      ended = true;
      clearTimeout(timer);
      resolve();
    };
    stdout.on('data', (chunk: Buffer) => {
      onOutput(chunk);
      if (handle === undefined || timer !== undefined || ended) return;
      const now = performance.now();
      const pause = readPauseMs(chunk.length, now - lastRead, maxPauseMs);
      lastRead = now;
      if (pause < 1) return;
      // What perf script writes meanwhile waits in the pipe (the kernel's buffer), read in one go after.
      handle.readStop();
      timer = setTimeout(() => {
        timer = undefined;
        if (!ended && !stdout.destroyed) handle.readStart();
      }, pause);
    });
    stdout.on('end', done);
    stdout.on('close', done);
    stdout.on('error', done);
  });
}

export function startPerfPair(input: PerfPairInput): PerfPair {
  const { spawn, recordCommand: rec, scriptCommand: scr } = input;
  const stderr = { text: '' };
  const record = spawn(rec.command, rec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const recordExit = exitOf(record, 'perf record', stderr);
  const data = record.stdout;
  const script = spawn(scr.command, scr.args, { stdio: [data ?? 'ignore', 'pipe', 'pipe'] });
  // The script has its own copy of the pipe; the agent's must neither read it nor keep it open.
  data?.destroy();
  const scriptExit = exitOf(script, 'perf script', stderr);
  const output = outputDone(
    script.stdout,
    (chunk) => input.onOutput(chunk),
    input.maxReadPauseMs ?? READ_PAUSE_MAX_MS,
  );
  // perf script ends by itself at the end of its input, after printing what it still had. A record
  // without its reader would block (or die on the broken pipe): it is stopped.
  void scriptExit.then(() => record.kill('SIGTERM'));
  const ended = Promise.all([recordExit, scriptExit, output]).then(([recordCode, scriptCode]) => ({
    record: recordCode,
    script: scriptCode,
    stderr: stderr.text,
  }));
  return { stop: () => record.kill('SIGINT'), ended };
}
