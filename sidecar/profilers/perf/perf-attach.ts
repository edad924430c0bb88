// perf record on the targets that are still there and that it may read. `perf record -p a,b,c` refuses
// to start when any of them has exited ("Couldn't create thread/CPU maps: No such process"), and a broad
// pattern often picks a short-lived process that is gone by the time perf attaches; it also exits 255
// without a word when it may not read one target's /proc/PID/maps (a more privileged process, such as a
// sandbox's PID 1, or one that is not dumpable). Such targets are dropped (checked just before perf starts,
// and again whenever perf fails to start) and perf runs on the rest; only when none is left does the
// recording fail, saying in words which ones exited and which ones perf may not read.
import {
  startPerfRecord,
  type PerfRecordOptions,
  type PerfRecording,
  type PerfRecordResult,
  type PerfRunnerDeps,
  type PerfStopReason,
} from './perf-runner.ts';

export interface AttachTarget {
  pid: number;
  comm: string;
}

export interface AttachDeps extends PerfRunnerDeps {
  /** True when the process has exited (no /proc entry, or a zombie). */
  isGone(pid: number): Promise<boolean>;
  /** True when its memory maps may not be read (perf record could not start with it). */
  isUnreadable?(pid: number): Promise<boolean>;
  /** Told once per drop: which targets exited before perf attached. */
  warn(message: string): void;
}

/** A result whose `failure` says in words when no target was left. */
export type AttachResult = PerfRecordResult;

function named(targets: readonly AttachTarget[]): string {
  return targets.map((t) => `${t.pid} (${t.comm})`).join(', ');
}

interface Dropped {
  gone: AttachTarget[];
  unreadable: AttachTarget[];
}

interface Partition extends Dropped {
  alive: AttachTarget[];
}

async function partition(deps: AttachDeps, targets: readonly AttachTarget[]): Promise<Partition> {
  const flags = await Promise.all(
    targets.map(async (t) =>
      (await deps.isGone(t.pid)) ? 'gone' : (await deps.isUnreadable?.(t.pid)) ? 'unreadable' : 'alive',
    ),
  );
  const having = (flag: string) => targets.filter((_t, i) => flags[i] === flag);
  return { alive: having('alive'), gone: having('gone'), unreadable: having('unreadable') };
}

/** Why perf cannot record a process whose memory maps it may not read, and what to do. */
const UNREADABLE =
  'perf may not read the memory maps (/proc/PID/maps) of a process more privileged than the recorder or one that is not dumpable: choose a pattern that leaves them out, or run the recorder with the rights to trace them';

function warnDropped(deps: AttachDeps, split: Partition): void {
  const others = `recording the other ${split.alive.length}`;
  if (split.gone.length > 0) deps.warn(`${named(split.gone)} exited before perf attached; ${others}`);
  if (split.unreadable.length > 0)
    deps.warn(`${named(split.unreadable)} left out: perf may not read their memory maps; ${others}`);
}

function noneLeft(
  gone: readonly AttachTarget[],
  unreadable: readonly AttachTarget[],
  reason: PerfStopReason,
): AttachResult {
  const exited =
    gone.length === 0
      ? undefined
      : gone.length === 1 && unreadable.length === 0
        ? `the target exited before perf could attach: ${named(gone)}`
        : `every target exited before perf could attach: ${named(gone)}`;
  const sealed = unreadable.length === 0 ? undefined : `${named(unreadable)}: ${UNREADABLE}`;
  const failure =
    sealed === undefined
      ? (exited ?? '')
      : exited === undefined
        ? `no process could be recorded: ${sealed}`
        : `no process could be recorded: ${named(gone)} exited before perf could attach, and ${sealed}`;
  return { reason, ok: false, exitCode: null, signal: null, stderr: '', failure };
}

/**
 * Starts perf record on the targets still running; when perf fails to start and some targets have
 * exited meanwhile, starts it again on the survivors for what is left of the duration. Each retry has
 * fewer targets, so it ends. systemWide recordings go straight to perf.
 */
export function startPerfOnSurvivors(
  deps: AttachDeps,
  options: PerfRecordOptions,
  targets: readonly AttachTarget[],
): PerfRecording & { done: Promise<AttachResult> } {
  if (options.systemWide) return startPerfRecord(deps, options);
  let current: PerfRecording | undefined;
  let stopped: PerfStopReason | undefined;
  // The duration counts from perf's events on: an attempt after enableAt has what is left of it since then.
  const startedAt = Math.max(deps.timers.now(), options.enableAt ?? 0);
  let enabledAt = (_at: number | undefined): void => {};
  const enabled = new Promise<number | undefined>((resolve) => (enabledAt = resolve));
  const attempt = async (remaining: readonly AttachTarget[], before: Dropped): Promise<AttachResult> => {
    const split = await partition(deps, remaining);
    const dropped = {
      gone: [...before.gone, ...split.gone],
      unreadable: [...before.unreadable, ...split.unreadable],
    };
    if (split.alive.length === 0) return noneLeft(dropped.gone, dropped.unreadable, stopped ?? 'exited');
    warnDropped(deps, split);
    const elapsed = Math.max(0, deps.timers.now() - startedAt) / 1000;
    const durationSeconds = Math.max(1, options.durationSeconds - elapsed);
    current = startPerfRecord(deps, { ...options, pids: split.alive.map((t) => t.pid), durationSeconds });
    void current.enabled.then((at) => at !== undefined && enabledAt(at));
    if (stopped !== undefined) current.stop(stopped);
    const result = await current.done;
    if (result.ok || result.reason !== 'exited' || stopped !== undefined) return result;
    const again = await partition(deps, split.alive);
    // perf failed with every target still there and readable: its failure is not about targets.
    if (again.alive.length === split.alive.length) return result;
    return attempt(split.alive, dropped);
  };
  const done = attempt(targets, { gone: [], unreadable: [] });
  void done.finally(() => enabledAt(undefined));
  return {
    get pid() {
      return current?.pid;
    },
    stop(reason: PerfStopReason = 'stopped') {
      stopped ??= reason;
      current?.stop(reason);
    },
    done,
    enabled,
  };
}
