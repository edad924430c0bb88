// The rollout watch's decisions, pure: from the workload's state, its pods, the status and the clock → the
// status to write (the version seen, the VersionRecorded condition), whether a run of the new version begins
// now and from when its pods sample, which Event to tell, and when to look again. The run itself is the
// Recording's ordinary run (plan.ts), dated at the settle's end: its starts ask the recorders to begin
// sampling then (startAt), so what a start costs (perf's own start-up, the request's way) is paid during the
// settle delay instead of after it.
import { MAX_START_AHEAD_SECONDS } from '../../../core/contract/limits.ts';
import {
  DEFAULT_WATCH_READY_TIMEOUT_SECONDS,
  DEFAULT_WATCH_SETTLE_SECONDS,
  WATCH_CONDITIONS,
  WATCH_EVENT_REASONS,
  type RecordingWatch,
} from '../../../core/crd/recording-watch.ts';
import type { PodView } from '../plan.ts';
import type { RecordingStatus } from '../recording-types.ts';
import { runInProgress } from '../runs.ts';
import { conditionOf, setCondition, type ConditionChange } from './conditions.ts';
import type { WorkloadState } from './workload-state.ts';

/** How often an idle watch looks at its workload. */
export const WATCH_POLL_MS = 5000;
/** How often while a rollout is under way. */
export const ROLLOUT_POLL_MS = 2000;

export interface WatchInput {
  watch: RecordingWatch;
  namespace: string;
  generation: number;
  status: RecordingStatus | undefined;
  /** undefined: the workload does not exist. */
  workload: WorkloadState | undefined;
  /** The workload's pods (and the target's selector's), as listed now. */
  pods: readonly PodView[];
  now: Date;
}

/** The API server keeps an Event's message to 1 KiB in practice (kubectl shows it whole); watch-kube.ts cuts there. */
export const EVENT_MESSAGE_CHARS = 1024;

export interface WatchEvent {
  reason: string;
  type: 'Normal' | 'Warning';
  message: string;
}

/**
 * How much less ahead than MAX_START_AHEAD_SECONDS a run is begun: the recorders check startAt against their
 * own clocks, a little later than the operator's.
 */
export const START_AHEAD_MARGIN_SECONDS = 60;

export interface WatchPlan {
  status: RecordingStatus;
  /** Begin a run of `status.watch.recording` now. */
  begin: boolean;
  /**
   * When the run begun now samples from (its lastRunTime): the settle's end, when that is still ahead; its
   * starts carry it as startAt. Absent: now.
   */
  runTime?: Date;
  events: WatchEvent[];
  requeueAfterMs?: number;
}

/** The pods a version's run records: Ready, Running and not on their way out. */
export function recordablePods(pods: readonly PodView[]): PodView[] {
  return pods.filter((p) => p.phase === 'Running' && p.ready === true && p.deleting !== true);
}

/** When the last of the pods became Ready (the settle delay counts from there); `now` when none says. */
function lastReady(pods: readonly PodView[], now: Date): Date {
  const times = pods.flatMap((p) => (p.readySince ? [Date.parse(p.readySince)] : []));
  return times.length === 0 ? now : new Date(Math.max(...times));
}

function describe(watch: RecordingWatch, namespace: string): string {
  return `${watch.kind} ${namespace}/${watch.name}`;
}

export function planWatch(input: WatchInput): WatchPlan {
  const { watch, now } = input;
  const status: RecordingStatus = { phase: 'Pending', ...input.status };
  if (runInProgress(status)) return { status, begin: false, events: [], requeueAfterMs: ROLLOUT_POLL_MS };
  const state: WatchState = { input, status, events: [] };
  const workload = input.workload;
  if (!workload)
    return idle(state, {
      reason: 'WorkloadNotFound',
      message: `${describe(watch, input.namespace)} not found`,
    });
  const seen = status.watch?.current;
  const current =
    seen && seen.version === workload.version
      ? seen
      : { version: workload.version, seenAt: now.toISOString() };
  state.status = { ...status, watch: { ...status.watch, current } };
  if (status.watch?.versions?.[0]?.version === workload.version)
    return idle(state, { reason: 'Recorded', message: `version ${workload.version} recorded` }, 'True');
  if (status.watch?.recording === workload.version && status.phase === 'Failed')
    return idle(state, {
      reason: 'RecordingFailed',
      message: `version ${workload.version} was not recorded: ${status.message ?? 'the run failed'}`,
    });
  return planVersion(state, workload, current);
}

/** Whether the new version's pods are Ready and settled: not yet, never (past the timeout), or begin now. */
function planVersion(
  state: WatchState,
  workload: WorkloadState,
  current: { version: string; seenAt: string },
): WatchPlan {
  const { watch, now, namespace } = state.input;
  const pods = state.input.pods.filter((p) => p.deleting !== true);
  const unready = pods.filter((p) => recordablePods([p]).length === 0);
  if (!workload.rolledOut || unready.length > 0 || pods.length === 0) {
    const waiting =
      workload.waiting ??
      (pods.length === 0 ? 'no pod' : `pods not Ready: ${unready.map((p) => p.name).join(', ')}`);
    const age = (now.getTime() - Date.parse(current.seenAt)) / 1000;
    const timeout = watch.readyTimeoutSeconds ?? DEFAULT_WATCH_READY_TIMEOUT_SECONDS;
    if (age > timeout) {
      const message = `the pods of version ${workload.version} of ${describe(watch, namespace)} were not Ready within readyTimeoutSeconds ${timeout}: ${waiting}; nothing recorded`;
      return idle(state, { reason: WATCH_EVENT_REASONS.notReady, message }, 'False', 'Warning');
    }
    return idle(state, { reason: 'RollingOut', message: `version ${workload.version}: ${waiting}` }, 'False');
  }
  // Ready's time is kept to the second, rounded down (the API server writes RFC 3339 without fractions), so
  // the settle counts from up to a second before the pod really was Ready, as it did before starts ahead.
  const readyAt = lastReady(pods, now);
  const settle = watch.settleSeconds ?? DEFAULT_WATCH_SETTLE_SECONDS;
  const due = readyAt.getTime() + settle * 1000;
  const watchStatus = { ...state.status.watch, current: { ...current, readyAt: readyAt.toISOString() } };
  state.status = { ...state.status, watch: watchStatus };
  const beginAhead = (MAX_START_AHEAD_SECONDS - START_AHEAD_MARGIN_SECONDS) * 1000;
  if (due - now.getTime() > beginAhead) {
    const plan = idle(state, {
      reason: 'Settling',
      message: `version ${workload.version}: every pod Ready, recording after settleSeconds ${settle}`,
    });
    return { ...plan, requeueAfterMs: due - now.getTime() - beginAhead };
  }
  const ahead = due > now.getTime();
  const from = ahead
    ? ` from ${new Date(due).toISOString()} (settleSeconds ${settle} after its pods were Ready)`
    : '';
  const begun = condition(state, {
    reason: 'Recording',
    message: `recording version ${workload.version}${from}`,
  });
  return {
    status: { ...begun, watch: { ...watchStatus, recording: workload.version } },
    begin: true,
    ...(ahead ? { runTime: new Date(due) } : {}),
    events: state.events,
  };
}

interface WatchState {
  input: WatchInput;
  status: RecordingStatus;
  events: WatchEvent[];
}

function condition(
  state: WatchState,
  change: Omit<ConditionChange, 'type' | 'status'>,
  status: ConditionChange['status'] = 'False',
): RecordingStatus {
  return {
    ...state.status,
    conditions: setCondition(
      state.status.conditions,
      { type: WATCH_CONDITIONS.versionRecorded, status, ...change },
      state.input.now,
      state.input.generation,
    ),
  };
}

/** Nothing to begin: the condition says why; an Event when the reason is a Warning and new. */
function idle(
  state: WatchState,
  change: Omit<ConditionChange, 'type' | 'status'>,
  status: ConditionChange['status'] = 'False',
  eventType?: WatchEvent['type'],
): WatchPlan {
  const before = conditionOf(state.status.conditions, WATCH_CONDITIONS.versionRecorded);
  const events =
    eventType && before?.reason !== change.reason
      ? [...state.events, { reason: change.reason, type: eventType, message: change.message }]
      : state.events;
  const rolling = change.reason === 'RollingOut' || change.reason === 'Settling';
  return {
    status: condition(state, change, status),
    begin: false,
    events,
    requeueAfterMs: rolling ? ROLLOUT_POLL_MS : WATCH_POLL_MS,
  };
}
