// Runs `perf record` against the chosen processes; a deadline, a size cap or a stop always ends it with SIGINT,
// and so does the recorder's own death (setpriv --pdeathsig): perf then still finishes its perf.data.
import type { ChildLike, LoopTimers, SpawnFn } from '../../host/runtime.ts';
import { spawnFailureNote, stderrExcerpt } from '../tool-output.ts';
import { isWholePerfData } from './perf-data-header.ts';
import { openPerfControl, type OpenPerfControl } from './perf-control.ts';
import { perfFlush } from './perf-flush.ts';
import { judgeKill, type PerfKill } from './perf-killed.ts';
import {
  ackFifoFor,
  controlFifoFor,
  perfRecordArgs,
  perfRecordCommand,
  type PerfFifos,
  type PerfRecordOptions,
} from './perf-record-command.ts';
import { watchPerfStart, withEnableWarning, type PerfStart } from './perf-start.ts';
import { describeStuck } from './perf-stuck.ts';

export type { PerfRecordOptions } from './perf-record-command.ts';

/** `interrupted`: a signal that the recorder did not send ended perf, which still finished perf.data. */
export type PerfStopReason = 'stopped' | 'deadline' | 'size-cap' | 'exited' | 'interrupted';

export interface PerfRecordResult {
  reason: PerfStopReason;
  /** perf ended in a way that leaves a usable perf.data. */
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  /** The end of perf's stderr, for error messages. */
  stderr: string;
  /** Why the recording failed, in words, when perf's own words do not say it. */
  failure?: string;
  /** What the recording lacks although it is usable (perf was killed, its written samples kept). */
  warning?: string;
}

export interface PerfRecording {
  pid: number | undefined;
  stop(reason?: PerfStopReason): void;
  done: Promise<PerfRecordResult>;
  /**
   * When perf's events went on (epoch ms, by the runner's clock): perf's ack of its first command, or its
   * first bytes in perf.data when it runs without its control FIFO. Undefined when perf ended before.
   */
  enabled: Promise<number | undefined>;
}

export interface PerfRunnerDeps {
  spawn: SpawnFn;
  timers: LoopTimers;
  /** Size of a file in bytes, 0 when it does not exist yet. */
  fileSize(path: string): Promise<number>;
  /** Opens perf's control and ack FIFOs (perf-control.ts); the real FIFOs when unset. */
  openControl?: OpenPerfControl;
}

const STDERR_KEEP = 4000;
/** How long a stop waits for perf to create perf.data before it sends SIGINT anyway. */
const START_WAIT_MS = 5000;
/**
 * How long a killed perf gets to exit before the recording ends without it: one in an uninterruptible wait
 * (a disk, a kernel lock) dies only once the wait is over, which may be never.
 */
const KILLED_EXIT_MS = 5000;

/** What perf's end means: why it ended, and whether its perf.data is usable. */
async function judgeEnd(
  end: {
    reason: PerfStopReason | undefined;
    exitCode: number | null;
    signal: string | null;
    spawnError: Error | undefined;
    stderr: string;
    killed: PerfKill | undefined;
  },
  outputFile: string,
): Promise<PerfRecordResult> {
  const { reason, exitCode, signal, spawnError, stderr } = end;
  if (end.killed !== undefined && reason !== undefined && signal === 'SIGKILL')
    return {
      reason,
      exitCode,
      signal,
      stderr: stderrExcerpt(stderr),
      ...(await judgeKill(outputFile, end.killed)),
    };
  const sizeCapped = /size limit reached/.test(stderr);
  // A SIGINT or SIGTERM that came from elsewhere (a terminal's Ctrl-C): perf finishes perf.data on
  // either, and a whole file is a recording that ended, not one that failed.
  const bySomeoneElse =
    reason === undefined &&
    (signal === 'SIGINT' || signal === 'SIGTERM') &&
    (await isWholePerfData(outputFile));
  const why: PerfStopReason = bySomeoneElse
    ? 'interrupted'
    : (reason ?? (sizeCapped ? 'size-cap' : 'exited'));
  const interrupted = reason !== undefined && (signal === 'SIGINT' || exitCode === 130);
  const ok = spawnError === undefined && (exitCode === 0 || interrupted || bySomeoneElse);
  return { reason: why, ok, exitCode, signal, stderr: stderrExcerpt(stderr) };
}

/**
 * SIGINT; if perf has not finished its file `afterMs` later, SIGKILL once /proc said where it is; if it
 * has not exited KILLED_EXIT_MS after that either, `giveUp`.
 */
function interruptPerf(
  timers: LoopTimers,
  child: ChildLike,
  afterMs: number,
  on: { handles: unknown[]; finished(): boolean; killed(kill: PerfKill): void; giveUp(): void },
): void {
  if (on.finished()) return;
  child.kill('SIGINT');
  const kill = async (): Promise<void> => {
    const stuck = child.pid === undefined ? undefined : await describeStuck(child.pid);
    if (on.finished()) return;
    on.killed({ afterMs, stuck, exited: true });
    child.kill('SIGKILL');
    on.handles.push(timers.setTimeout(() => on.giveUp(), KILLED_EXIT_MS));
  };
  on.handles.push(timers.setTimeout(() => void kill(), afterMs));
}

/** Starts perf record as perf-record-command.ts says; its process and its FIFOs, if any. */
function spawnPerf(deps: PerfRunnerDeps, options: PerfRecordOptions) {
  const fifos = {
    control: controlFifoFor(options.outputFile),
    ack: ackFifoFor(options.outputFile),
    disabled: options.enableAt !== undefined,
  };
  const command = perfRecordCommand(options.perfPath, perfRecordArgs(options), fifos);
  return {
    child: deps.spawn(command.command, command.args, { stdio: ['ignore', 'ignore', 'pipe'] }),
    fifos: command.fifos,
  };
}

/** Watches perf's start (perf-start.ts) with the real FIFOs unless the deps bring others. */
function watchStart(
  deps: PerfRunnerDeps,
  options: PerfRecordOptions,
  on: { fifos: PerfFifos | undefined; handles: unknown[]; active: () => boolean },
): PerfStart {
  return watchPerfStart(
    { ...deps, openControl: deps.openControl ?? openPerfControl },
    {
      outputFile: options.outputFile,
      fifos: on.fifos,
      enableAt: options.enableAt,
      graceMs: options.startupGraceMs ?? 30_000,
    },
    on.handles,
    on.active,
  );
}

/** Stops the recording once perf.data is larger than its cap. */
function watchSize(
  deps: PerfRunnerDeps,
  options: PerfRecordOptions,
  handles: unknown[],
  on: { finished(): boolean; stop(why: PerfStopReason): void },
): void {
  const pollSize = (): void => {
    if (on.finished()) return;
    void deps.fileSize(options.outputFile).then((bytes) => {
      if (bytes > options.maxBytes) on.stop('size-cap');
      else handles.push(deps.timers.setTimeout(pollSize, options.sizePollMs ?? 1000));
    });
  };
  handles.push(deps.timers.setTimeout(pollSize, options.sizePollMs ?? 1000));
}

export function startPerfRecord(deps: PerfRunnerDeps, options: PerfRecordOptions): PerfRecording {
  const { child, fifos } = spawnPerf(deps, options);
  let stderr = '';
  let reason: PerfStopReason | undefined;
  let finished = false;
  let killed: PerfKill | undefined;
  let finishWithout = (): void => {};
  const flush = perfFlush(deps.timers, options.flushEveryMs ?? 1000);
  const handles: unknown[] = [];

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });

  const interrupt = (): void =>
    interruptPerf(deps.timers, child, options.killAfterMs ?? 15_000, {
      handles,
      finished: () => finished,
      killed: (kill) => void (killed = kill),
      giveUp: () => finishWithout(),
    });
  const start = watchStart(deps, options, { fifos, handles, active: () => !finished });

  // Until perf has set its SIGINT handler (the shell and setpriv that start it, perf opening its events),
  // SIGINT kills it with no file, and a stop right after the start would fail the recording.
  const stop = (why: PerfStopReason = 'stopped'): void => {
    if (finished || reason !== undefined) return;
    reason = why;
    start.whenWriting(START_WAIT_MS, interrupt);
  };

  // The duration counts from the moment perf's events are on (perf-start.ts), not from the spawn nor from
  // perf's first bytes: on a loaded node perf can take seconds to start (a cold binary, the targets' maps),
  // and a deadline from either left a 5 s recording with a few samples or none. From then on perf writes
  // its samples out every second (perf-flush.ts) until it has exited.
  start.whenOn(() => {
    flush.start(start.control());
    handles.push(deps.timers.setTimeout(() => stop('deadline'), options.durationSeconds * 1000));
  });
  watchSize(deps, options, handles, { finished: () => finished, stop });

  const done = new Promise<PerfRecordResult>((resolve) => {
    const finish = async (code: number | null, signal: string | null, spawnError?: Error): Promise<void> => {
      if (finished) return;
      finished = true;
      for (const handle of handles) deps.timers.clearTimeout(handle);
      flush.end();
      await start.close();
      stderr += spawnFailureNote(spawnError, options.perfPath, 'linux-perf');
      const end = { reason, exitCode: code, signal, spawnError, stderr, killed };
      const result = await judgeEnd(end, options.outputFile);
      resolve(withEnableWarning(result, options.enableAt, fifos !== undefined, await start.enabled));
    };
    child.on('error', (error: Error) => void finish(null, null, error));
    child.on('close', (code: number | null, signal: string | null) => void finish(code, signal));
    finishWithout = () => {
      if (killed !== undefined) killed.exited = false;
      void finish(null, 'SIGKILL');
    };
  });

  return { pid: child.pid, stop, done, enabled: start.enabled };
}

/**
 * Whether this kernel and perf take `--buildid-mmap`: records `true` with it and looks at the exit code.
 * Without BPF events (`--no-bpf-event`): their side-band thread's one-second poll would make the probe take
 * about 1.1 s instead of 0.1 s, and a new recorder's first recording waits for the probe.
 */
export function probeBuildIdMmap(spawn: SpawnFn, perfPath: string, outputFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    const args = [
      'record',
      '--buildid-mmap',
      '--no-bpf-event',
      '-e',
      'cpu-clock',
      '-o',
      outputFile,
      '--',
      'true',
    ];
    const child = spawn(perfPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    child.on('error', () => resolve(false));
    child.on('close', (code: number | null) => resolve(code === 0));
  });
}
