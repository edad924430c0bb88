// The long-lived pair of a plan: `perf record -o -` into `perf script -i -`, the record's stdout handed to
// the script as its stdin (no copy through the agent). Symbols are loaded once, by the one perf script;
// the node's processes are synthesized once, when perf record starts. Either perf ending ends the pair:
// a record without its reader is stopped, and `ended` resolves once both exited and the script's output was read.
// The script's output is read in paced batches (`readPauseMs`), not at each of its 4 KiB writes.
//
// Both perfs run with SIGPIPE ignored, as a recording's do: perf script writes to an addr2line it started
// for a binary's source lines, and an addr2line that quit (a binary it could not read) would otherwise kill
// perf script, and with it the pair, on its next write. perf script that ignores SIGPIPE does not end when
// its own stdout breaks either (perf 6.1 reads on, its writes failing), so were the agent to die, nothing
// would end the pair: perf record therefore runs under `setpriv --pdeathsig INT` and ends as on a stop,
// and perf script at its input's end. Without setpriv or a shell both keep the default disposition: the
// agent's death then ends the pair only when perf script next writes (SIGPIPE), which an idle pair never does.
import type { Readable } from 'node:stream';
import {
  ignoringSigpipe,
  SETPRIV,
  SHELL,
  signalledOnParentDeath,
  type CommandLine,
} from '../host/helper-wrappers.ts';
import type { ChildLike, SpawnFn } from '../host/runtime.ts';
import { addr2lineFailure, scriptFailureMessage } from '../profilers/perf/perf-script-failure.ts';
import { stderrExcerpt } from '../profilers/tool-output.ts';

export interface PerfPairInput {
  spawn: SpawnFn;
  recordCommand: CommandLine;
  scriptCommand: CommandLine;
  /** The shell and setpriv the perfs are started through (PAIR_WRAPPERS: the image's; null: none). */
  wrappers?: PairWrappers;
  /** perf script's output, in chunks as they are read. */
  onOutput(chunk: Buffer): void;
  /** The longest pause between two reads of perf script's output (default READ_PAUSE_MAX_MS; 0: none). */
  maxReadPauseMs?: number;
}

export interface PairWrappers {
  shell: string | null;
  setpriv: string | null;
}

export const PAIR_WRAPPERS: PairWrappers = { shell: SHELL, setpriv: SETPRIV };

/** How one perf of the pair ended: its exit code, or the signal that killed it. */
export interface PerfExit {
  code: number | null;
  signal: string | null;
}

/** Why the pair ended: each perf's exit and the end of their stderr. */
export interface PairEnd {
  record: PerfExit;
  script: PerfExit;
  stderr: string;
}

export interface PerfPair {
  /** Stops perf record (SIGINT: it writes what it has); perf script then ends at its input's end. */
  stop(): void;
  /** Both perfs exited and every output chunk was passed on; why the pair ended. */
  ended: Promise<PairEnd>;
}

/** The pair's two command lines as they are started: with SIGPIPE ignored when both wrappers are there. */
export function pairCommands(
  record: CommandLine,
  script: CommandLine,
  { shell, setpriv }: PairWrappers,
): { record: CommandLine; script: CommandLine } {
  if (shell === null || setpriv === null) return { record, script };
  return {
    record: ignoringSigpipe(signalledOnParentDeath(record, setpriv, 'INT'), shell),
    script: ignoringSigpipe(script, shell),
  };
}

const howItEnded = (exit: PerfExit) =>
  exit.signal === null ? `exit ${exit.code ?? '?'}` : `killed by ${exit.signal}`;

const withExcerpt = (stderr: string) => {
  const excerpt = stderrExcerpt(stderr);
  return excerpt === '' ? '' : `: ${excerpt}`;
};

/**
 * The error of a pair that ended without being stopped, from how each perf ended and their stderr. A perf
 * script killed by a signal, or failed where perf names a binary addr2line could not read, is the cause
 * (worded as a recording's error words it); else a perf record that exited with an error by itself (a
 * cgroup gone, perf missing), after which perf script fails on its empty input; else perf script's
 * failure; else how perf record ended (killed from outside, say). Pure.
 */
export function pairFailureMessage(end: PairEnd): string {
  const { record, script, stderr } = end;
  const scriptFailed = script.code !== 0;
  if (scriptFailed && (script.signal !== null || addr2lineFailure(stderr) !== null))
    return scriptFailureMessage(howItEnded(script), stderr);
  if (record.signal === null && record.code !== 0)
    return `perf record failed (${howItEnded(record)})${withExcerpt(stderr)}`;
  if (scriptFailed) return scriptFailureMessage(howItEnded(script), stderr);
  return `perf record ended (${howItEnded(record)})${withExcerpt(stderr)}`;
}

function exitOf(child: ChildLike, name: string, stderr: { text: string }): Promise<PerfExit> {
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr.text = (stderr.text + chunk).slice(-2000)));
  return new Promise((resolve) => {
    child.on('error', (error: Error) => {
      stderr.text += `\n${name} could not start: ${error.message}`;
      resolve({ code: null, signal: null });
    });
    child.on('close', (code: number | null, signal: string | null) => resolve({ code, signal }));
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
  const { spawn } = input;
  const { record: rec, script: scr } = pairCommands(
    input.recordCommand,
    input.scriptCommand,
    input.wrappers ?? PAIR_WRAPPERS,
  );
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
  const ended = Promise.all([recordExit, scriptExit, output]).then(([record, script]) => ({
    record,
    script,
    stderr: stderr.text,
  }));
  return { stop: () => record.kill('SIGINT'), ended };
}
