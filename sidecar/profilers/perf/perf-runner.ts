// Runs `perf record` against the chosen processes; a deadline, a size cap or a stop always ends it with SIGINT,
// and so does the recorder's own death (setpriv --pdeathsig): perf then still finishes its perf.data.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildIdMode } from '../../host/disk-budget.ts';
import type { CallGraphRun } from '../../../core/contract/recording-params.ts';
import type { LoopTimers, SpawnFn } from '../../host/runtime.ts';
import { spawnFailureNote, stderrExcerpt } from '../tool-output.ts';
import { isWholePerfData } from './perf-data-header.ts';

export interface PerfRecordOptions {
  perfPath: string;
  event: string;
  frequency: number;
  callGraph: CallGraphRun;
  /** PIDs to record; ignored when systemWide. */
  pids: readonly number[];
  systemWide: boolean;
  outputFile: string;
  /** perf's build-id cache for this recording (perf copies the binaries it sampled there). */
  buildIdDir?: string;
  /**
   * How perf record handles build ids when it stops. `cache`: copy the sampled binaries into the cache
   * (about a second on 2 cores; needed for targets in other mount namespaces, whose files are gone once
   * they exit). `scan`: reread perf.data for build ids, no copies (-N). `mmap`: build ids travel in the
   * mmap events, no second pass (--buildid-mmap; kernel 5.12+). Default `cache`.
   */
  buildIds?: BuildIdMode;
  durationSeconds: number;
  maxBytes: number;
  /** How often the size of perf.data is checked, ms. */
  sizePollMs?: number;
  /** How long perf gets to write its file after SIGINT before it is killed, ms. */
  killAfterMs?: number;
  /**
   * How long perf may take to start (open its events and write perf.data's header) before the duration
   * counts anyway, ms (30 s).
   */
  startupGraceMs?: number;
}

/**
 * How often perf.data is looked at until perf has written its header, ms: the duration counts from then, so
 * each ms of this wait is a ms more between the start and the end of a recording (a stat every 10 ms for the
 * 0.1–0.5 s perf takes to start).
 */
const STARTUP_POLL_MS = 10;

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
}

export interface PerfRecording {
  pid: number | undefined;
  stop(reason?: PerfStopReason): void;
  done: Promise<PerfRecordResult>;
}

export interface PerfRunnerDeps {
  spawn: SpawnFn;
  timers: LoopTimers;
  /** Size of a file in bytes, 0 when it does not exist yet. */
  fileSize(path: string): Promise<number>;
}

const STDERR_KEEP = 4000;
/** How long a stop waits for perf to create perf.data before it sends SIGINT anyway. */
const START_WAIT_MS = 5000;

const BUILD_ID_ARGS: Record<BuildIdMode, string[]> = {
  cache: [],
  scan: ['--no-buildid-cache'],
  mmap: ['--buildid-mmap'],
};

/**
 * perf record follows BPF programs' loads in a side-band thread that polls with a one-second timeout, and
 * after SIGINT it waits for that poll to time out: 0–1 s (about 0.3–0.5 s typically) added to every stop.
 * Recording a pod's processes goes without (`--no-bpf-event`: a sample inside a BPF program then has no
 * program name); a whole-node recording keeps them, where BPF programs are more likely to show.
 */
const NO_BPF_EVENTS = ['--no-bpf-event'];

export function perfRecordArgs(options: PerfRecordOptions): string[] {
  const callGraph = options.callGraph === 'dwarf' ? ['--call-graph', 'dwarf'] : ['-g'];
  const scope = options.systemWide ? ['-a'] : ['-p', options.pids.join(','), ...NO_BPF_EVENTS];
  const maxKiB = Math.max(4, Math.floor(options.maxBytes / 1024));
  return [
    ...(options.buildIdDir === undefined ? [] : ['--buildid-dir', options.buildIdDir]),
    'record',
    '-e',
    options.event,
    '-F',
    String(options.frequency),
    ...callGraph,
    ...scope,
    '-o',
    options.outputFile,
    '--max-size',
    `${maxKiB}K`,
    ...BUILD_ID_ARGS[options.buildIds ?? 'cache'],
  ];
}

/** Whether `command` names a file: as a path, or found in one of PATH's directories. */
function onPath(command: string): boolean {
  if (command.includes('/')) return existsSync(command);
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** util-linux's setpriv where the image has it (Debian always does). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path)) ?? null;
const SHELL = existsSync('/bin/sh') ? '/bin/sh' : null;
/** Ignores SIGPIPE, then execs its arguments: an ignored signal stays ignored across exec. */
const IGNORE_SIGPIPE = 'trap "" PIPE; exec "$0" "$@"';

/**
 * The perf record command line. Through `setpriv --pdeathsig INT`, perf is interrupted when the recorder
 * dies (a kill -9, an OOM kill) as it is on a stop: it writes a whole perf.data, which the restarted
 * recorder finishes from (recording-recovery.ts), and it does not record on for nobody. perf's closing
 * lines go to its stderr, a pipe whose reader died with the recorder: SIGPIPE would kill perf before it
 * writes perf.data's header, so a shell ignores SIGPIPE first and execs setpriv (the same process, so the
 * recorder stays the parent that pdeathsig watches); the write fails and perf finishes the file. Without
 * setpriv, perf runs as it is.
 */
export function perfRecordCommand(
  perfPath: string,
  args: string[],
  setpriv: string | null = SETPRIV,
  shell: string | null = SHELL,
): { command: string; args: string[] } {
  // A perf that is not there is left to fail as itself, so the error says how to install it.
  if (setpriv === null || !onPath(perfPath)) return { command: perfPath, args };
  const interrupted = ['--pdeathsig', 'INT', '--', perfPath, ...args];
  if (shell === null) return { command: setpriv, args: interrupted };
  return { command: shell, args: ['-c', IGNORE_SIGPIPE, setpriv, ...interrupted] };
}

/** What perf's end means: why it ended, and whether its perf.data is usable. */
async function judgeEnd(
  end: {
    reason: PerfStopReason | undefined;
    exitCode: number | null;
    signal: string | null;
    spawnError: Error | undefined;
    stderr: string;
  },
  outputFile: string,
): Promise<PerfRecordResult> {
  const { reason, exitCode, signal, spawnError, stderr } = end;
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
 * Watches perf.data for perf's first bytes: by then perf has opened its events and set its SIGINT handler
 * (it does so before it creates the file), so a SIGINT makes it finish the file rather than kill it.
 */
function watchPerfStart(
  deps: PerfRunnerDeps,
  outputFile: string,
  handles: unknown[],
  active: () => boolean,
): { whenWriting(maxMs: number, then: () => void): void } {
  let writing = false;
  const waiters: (() => void)[] = [];
  const look = (): void => {
    if (!active() || writing) return;
    void deps.fileSize(outputFile).then((bytes) => {
      if (writing) return;
      if (bytes === 0) return void handles.push(deps.timers.setTimeout(look, STARTUP_POLL_MS));
      writing = true;
      for (const waiter of waiters.splice(0)) waiter();
    });
  };
  look();
  return {
    /** Runs `then` once perf is writing, or after `maxMs` if it never starts to. */
    whenWriting(maxMs, then) {
      if (writing) return then();
      let ran = false;
      const once = (): void => {
        if (ran) return;
        ran = true;
        then();
      };
      waiters.push(once);
      handles.push(deps.timers.setTimeout(once, maxMs));
    },
  };
}

export function startPerfRecord(deps: PerfRunnerDeps, options: PerfRecordOptions): PerfRecording {
  const { command, args } = perfRecordCommand(options.perfPath, perfRecordArgs(options));
  const child = deps.spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let reason: PerfStopReason | undefined;
  let finished = false;
  const handles: unknown[] = [];

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });

  const interrupt = (): void => {
    if (finished) return;
    child.kill('SIGINT');
    handles.push(
      deps.timers.setTimeout(() => !finished && child.kill('SIGKILL'), options.killAfterMs ?? 15_000),
    );
  };
  const start = watchPerfStart(deps, options.outputFile, handles, () => !finished);

  // Until perf has set its SIGINT handler (the shell and setpriv that start it, perf opening its events),
  // SIGINT kills it with no file, and a stop right after the start would fail the recording.
  const stop = (why: PerfStopReason = 'stopped'): void => {
    if (finished || reason !== undefined) return;
    reason = why;
    start.whenWriting(START_WAIT_MS, interrupt);
  };

  const pollSize = (): void => {
    if (finished) return;
    void deps.fileSize(options.outputFile).then((bytes) => {
      if (bytes > options.maxBytes) stop('size-cap');
      else handles.push(deps.timers.setTimeout(pollSize, options.sizePollMs ?? 1000));
    });
  };

  // The duration counts from perf's first bytes in perf.data, not from the spawn: on a loaded node perf
  // can take seconds to start (a cold binary, the targets' maps), and a deadline from the spawn then left a
  // 5 s recording with a few samples or none.
  start.whenWriting(options.startupGraceMs ?? 30_000, () =>
    handles.push(deps.timers.setTimeout(() => stop('deadline'), options.durationSeconds * 1000)),
  );
  handles.push(deps.timers.setTimeout(pollSize, options.sizePollMs ?? 1000));

  const done = new Promise<PerfRecordResult>((resolve) => {
    const finish = async (code: number | null, signal: string | null, spawnError?: Error): Promise<void> => {
      if (finished) return;
      finished = true;
      for (const handle of handles) deps.timers.clearTimeout(handle);
      stderr += spawnFailureNote(spawnError, options.perfPath, 'linux-perf');
      resolve(await judgeEnd({ reason, exitCode: code, signal, spawnError, stderr }, options.outputFile));
    };
    child.on('error', (error: Error) => void finish(null, null, error));
    child.on('close', (code: number | null, signal: string | null) => void finish(code, signal));
  });

  return { pid: child.pid, stop, done };
}

/** Whether this kernel and perf take `--buildid-mmap`: records `true` with it and looks at the exit code. */
export function probeBuildIdMmap(spawn: SpawnFn, perfPath: string, outputFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    const args = ['record', '--buildid-mmap', '-e', 'cpu-clock', '-o', outputFile, '--', 'true'];
    const child = spawn(perfPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    child.on('error', () => resolve(false));
    child.on('close', (code: number | null) => resolve(code === 0));
  });
}
