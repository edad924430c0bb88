// perf record on the targets that are still there. `perf record -p a,b,c` refuses to start when any of
// them has exited ("Couldn't create thread/CPU maps: No such process"), and a broad pattern often picks
// a short-lived process that is gone by the time perf attaches. The targets that exited are dropped
// (checked just before perf starts, and again whenever perf fails to start) and perf runs on the rest;
// only when none is left does the recording fail, naming the ones that exited.
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
  /** Told once per drop: which targets exited before perf attached. */
  warn(message: string): void;
}

/** What a result says beyond perf's own: the sentence to fail with when no target was left. */
export interface AttachResult extends PerfRecordResult {
  failure?: string;
}

function named(targets: readonly AttachTarget[]): string {
  return targets.map((t) => `${t.pid} (${t.comm})`).join(', ');
}

async function partition(
  deps: AttachDeps,
  targets: readonly AttachTarget[],
): Promise<{ alive: AttachTarget[]; gone: AttachTarget[] }> {
  const flags = await Promise.all(targets.map((t) => deps.isGone(t.pid)));
  return {
    alive: targets.filter((_t, i) => flags[i] !== true),
    gone: targets.filter((_t, i) => flags[i] === true),
  };
}

function noneLeft(gone: readonly AttachTarget[], reason: PerfStopReason): AttachResult {
  const failure =
    gone.length === 1
      ? `the target exited before perf could attach: ${named(gone)}`
      : `every target exited before perf could attach: ${named(gone)}`;
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
  const startedAt = deps.timers.now();
  const attempt = async (remaining: readonly AttachTarget[], gone: AttachTarget[]): Promise<AttachResult> => {
    const split = await partition(deps, remaining);
    const exited = [...gone, ...split.gone];
    if (split.gone.length > 0 && split.alive.length > 0)
      deps.warn(
        `${named(split.gone)} exited before perf attached; recording the other ${split.alive.length}`,
      );
    if (split.alive.length === 0) return noneLeft(exited, stopped ?? 'exited');
    const elapsed = (deps.timers.now() - startedAt) / 1000;
    const durationSeconds = Math.max(1, options.durationSeconds - elapsed);
    current = startPerfRecord(deps, { ...options, pids: split.alive.map((t) => t.pid), durationSeconds });
    if (stopped !== undefined) current.stop(stopped);
    const result = await current.done;
    if (result.ok || result.reason !== 'exited' || stopped !== undefined) return result;
    const again = await partition(deps, split.alive);
    // perf failed with every target still there: its failure is not about targets.
    if (again.gone.length === 0) return result;
    return attempt(split.alive, exited);
  };
  const done = attempt(targets, []);
  return {
    get pid() {
      return current?.pid;
    },
    stop(reason: PerfStopReason = 'stopped') {
      stopped ??= reason;
      current?.stop(reason);
    },
    done,
  };
}
