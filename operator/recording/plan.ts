// The Recording reconciler's decisions, pure: from the spec, the target's pods, the status (with the
// latest polls applied, outcomes.ts) and the clock → the status to write and what to do next (start
// recordings on pods, stop them, delete old catalog recordings, summarize the finished ones).
import { FurnaceError } from '../../core/contract/errors.ts';
import { nextCronTime, parseCron, type CronSchedule } from './cron.ts';
import { formatLabelSelector } from '../label-selector.ts';
import type { PodResult, RecordingSpec, RecordingStatus } from './recording-types.ts';
import { beginRun, finishRun, runInProgress } from './runs.ts';

export interface PlanOptions {
  /** Pods recorded at once for one Recording. */
  concurrency: number;
  /** How long a run waits for its pods to be Running, registered and not busy before it fails. */
  startGraceSeconds: number;
  /** How long after its duration a recording may take to be processed before the run gives up on it. */
  processingTimeoutSeconds: number;
  /** How soon a run in progress is looked at again. */
  pollIntervalMs: number;
}

export const DEFAULT_PLAN_OPTIONS: Readonly<PlanOptions> = {
  concurrency: 4,
  startGraceSeconds: 60,
  processingTimeoutSeconds: 600,
  pollIntervalMs: 2000,
};

/** A pod of the target as the planner needs it. */
export interface PodView {
  name: string;
  /** The pod's phase; only `Running` pods that are not being deleted are recorded. */
  phase: string;
  deleting?: boolean;
  /** The pod's Ready condition is True, since `readySince` (its last transition). */
  ready?: boolean;
  readySince?: string;
}

export interface PlanInput {
  namespace: string;
  generation: number;
  createdAt: Date;
  spec: RecordingSpec;
  status: RecordingStatus | undefined;
  /** The pod named by the target (if it exists), or the pods its selector matches. */
  pods: readonly PodView[];
  now: Date;
  /** Pods whose start was already tried in this reconcile (a refused one waits for the next). */
  tried?: readonly string[];
  options?: Partial<PlanOptions>;
}

export type PlanAction =
  | { kind: 'start'; pod: string }
  | { kind: 'stop'; pod: string; recordingId: string }
  | { kind: 'delete'; pod: string; recordingId: string }
  | { kind: 'summarize'; results: { pod: string; recordingId: string }[] };

export interface Plan {
  status: RecordingStatus;
  actions: PlanAction[];
  /** Look again after this long (a run in progress, the next scheduled run); none when nothing is due. */
  requeueAfterMs?: number;
}

const IN_FLIGHT = new Set(['recording', 'processing']);

/** The recordings whose state the reconciler asks the server for before planning. */
export function pollsOf(status: RecordingStatus | undefined): { pod: string; recordingId: string }[] {
  if (!status || !runInProgress(status)) return [];
  return (status.results ?? []).flatMap((r) =>
    r.recordingId && IN_FLIGHT.has(r.state) ? [{ pod: r.pod, recordingId: r.recordingId }] : [],
  );
}

type Targets = { pods: string[] } | { wait: string } | { fail: string };

function isRunning(pod: PodView): boolean {
  return pod.phase === 'Running' && pod.deleting !== true;
}

/** Which pods a run records: the named one once Running, or every Running pod the selector matches. */
export function resolveTargets(spec: RecordingSpec, namespace: string, pods: readonly PodView[]): Targets {
  const { pod, selector } = spec.target;
  if ((pod === undefined) === (selector === undefined))
    return { fail: 'spec.target needs exactly one of pod and selector' };
  if (pod !== undefined) {
    const found = pods.find((p) => p.name === pod);
    if (!found) return { fail: `pod ${namespace}/${pod} not found` };
    if (!isRunning(found))
      return {
        wait: `pod ${namespace}/${pod} is ${found.deleting ? 'being deleted' : found.phase}, not Running`,
      };
    return { pods: [pod] };
  }
  const running = pods.filter(isRunning).map((p) => p.name);
  if (running.length > 0) return { pods: running.sort() };
  return {
    wait: `no Running pod in namespace ${namespace} matches the selector "${formatLabelSelector(selector ?? {})}"`,
  };
}

function secondsSince(time: string | undefined, now: Date): number {
  return time === undefined ? 0 : (now.getTime() - Date.parse(time)) / 1000;
}

/**
 * A pod the server refused (not registered yet, busy) fails once the run is older than the start grace and
 * none of its other pods is recording (they may be what keeps it busy); a pod merely queued behind the
 * concurrency limit has no deadline. A recording fails when its batch should long have been processed.
 */
function applyDeadlines(
  spec: RecordingSpec,
  status: RecordingStatus,
  now: Date,
  o: PlanOptions,
): PodResult[] {
  const results = status.results ?? [];
  const age = secondsSince(status.lastRunTime, now);
  const batches = Math.ceil(results.length / Math.max(1, o.concurrency));
  const deadline = batches * ((spec.durationSeconds ?? 0) + o.startGraceSeconds) + o.processingTimeoutSeconds;
  const anyInFlight = results.some((r) => IN_FLIGHT.has(r.state));
  return results.map((r): PodResult => {
    if (r.state === 'pending' && r.message !== undefined && !anyInFlight && age > o.startGraceSeconds)
      return { ...r, state: 'failed', message: `not started within ${o.startGraceSeconds} s: ${r.message}` };
    if (IN_FLIGHT.has(r.state) && age > deadline)
      return {
        ...r,
        state: 'failed',
        message: `recording ${r.recordingId} did not finish within ${deadline} s`,
      };
    return r;
  });
}

function phaseOf(results: readonly PodResult[]): RecordingStatus['phase'] {
  const started = results.some((r) => r.state !== 'pending');
  if (results.some((r) => r.state === 'recording') || (started && results.some((r) => r.state === 'pending')))
    return 'Recording';
  return started ? 'Processing' : 'Pending';
}

function progressMessage(results: readonly PodResult[]): string {
  const count = (state: string) => results.filter((r) => r.state === state).length;
  return `${count('recording')} recording, ${count('processing')} processing, ${count('done')} done, ${count('pending')} waiting of ${results.length} pods`;
}

interface Step {
  spec: RecordingSpec;
  now: Date;
  o: PlanOptions;
  cron: CronSchedule | undefined;
}

function fail(step: Step, status: RecordingStatus, message: string, actions: PlanAction[] = []): Plan {
  const { status: finished, deletes } = finishRun(status, step.spec, 'Failed', message);
  return done(step, finished, [
    ...actions,
    ...deletes.map((recording) => ({ kind: 'delete' as const, ...recording })),
  ]);
}

function succeed(step: Step, status: RecordingStatus): Plan {
  const pods = status.results?.length ?? 0;
  const message = `recorded ${pods} pod${pods === 1 ? '' : 's'}: ${status.samples ?? 0} samples`;
  const { status: finished, deletes } = finishRun(status, step.spec, 'Succeeded', message);
  return done(
    step,
    finished,
    deletes.map((recording) => ({ kind: 'delete' as const, ...recording })),
  );
}

/** A finished run: a scheduled Recording looks again at its next run time (set when the run began). */
function done(step: Step, status: RecordingStatus, actions: PlanAction[]): Plan {
  if (!step.cron) return { status, actions };
  const next = status.nextRunTime ? new Date(status.nextRunTime) : nextCronTime(step.cron, step.now);
  if (!next) return { status, actions };
  return {
    status: { ...status, nextRunTime: next.toISOString() },
    actions,
    requeueAfterMs: Math.max(0, next.getTime() - step.now.getTime()),
  };
}

/** Between runs: begin one when it is due (at once for a one-shot Recording never run). */
function planIdle(step: Step, status: RecordingStatus, createdAt: Date): Plan | RecordingStatus {
  if (!step.cron)
    return status.lastRunTime === undefined ? beginRun(status, step.now, undefined) : { status, actions: [] };
  const due = status.nextRunTime
    ? new Date(status.nextRunTime)
    : nextCronTime(step.cron, new Date(status.lastRunTime ?? createdAt));
  if (!due) return { status, actions: [] };
  if (due.getTime() > step.now.getTime())
    return {
      status: { ...status, nextRunTime: due.toISOString() },
      actions: [],
      requeueAfterMs: due.getTime() - step.now.getTime(),
    };
  // A run that came due while the previous one went on starts now; missed ones are not made up.
  return beginRun(status, step.now, nextCronTime(step.cron, step.now));
}

function planRun(step: Step, status: RecordingStatus, input: PlanInput): Plan {
  const { namespace, pods } = input;
  const tried = new Set(input.tried ?? []);
  const { o } = step;
  if (status.results === undefined) {
    const targets = resolveTargets(step.spec, namespace, pods);
    if ('fail' in targets) return fail(step, status, targets.fail);
    if ('wait' in targets) {
      if (secondsSince(status.lastRunTime, step.now) > o.startGraceSeconds)
        return fail(step, status, `no pod to record within ${o.startGraceSeconds} s: ${targets.wait}`);
      return {
        status: { ...status, phase: 'Pending', message: targets.wait },
        actions: [],
        requeueAfterMs: o.pollIntervalMs,
      };
    }
    status = { ...status, results: targets.pods.map((pod) => ({ pod, state: 'pending' as const })) };
  }
  const results = applyDeadlines(step.spec, status, step.now, o);
  const failed = results.find((r) => r.state === 'failed');
  if (failed) {
    const reason = `pod ${failed.pod}: ${failed.message ?? 'the recording failed'}`;
    const stops: PlanAction[] = [];
    const stopped = results.map((r): PodResult => {
      if (!IN_FLIGHT.has(r.state) || !r.recordingId) return r;
      stops.push({ kind: 'stop', pod: r.pod, recordingId: r.recordingId });
      return { ...r, state: 'failed', message: `stopped: the recording of pod ${failed.pod} failed` };
    });
    return fail(step, { ...status, results: stopped }, reason, stops);
  }
  if (results.every((r) => r.state === 'done')) {
    if (status.samples !== undefined) return succeed(step, { ...status, results });
    const summarize = results.map((r) => ({ pod: r.pod, recordingId: r.recordingId ?? '' }));
    return {
      status: { ...status, results, phase: 'Processing' },
      actions: [{ kind: 'summarize', results: summarize }],
    };
  }
  const room = o.concurrency - results.filter((r) => IN_FLIGHT.has(r.state)).length;
  const starts = results
    .filter((r) => r.state === 'pending' && !tried.has(r.pod))
    .slice(0, Math.max(0, room))
    .map((r): PlanAction => ({ kind: 'start', pod: r.pod }));
  return {
    status: { ...status, results, phase: phaseOf(results), message: progressMessage(results) },
    actions: starts,
    requeueAfterMs: o.pollIntervalMs,
  };
}

/** The next step of a Recording. Call again after applying the outcomes of its actions until none are left. */
export function planRecording(input: PlanInput): Plan {
  const o: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, ...input.options };
  const status: RecordingStatus = { phase: 'Pending', ...input.status, observedGeneration: input.generation };
  let cron: CronSchedule | undefined;
  if (input.spec.schedule !== undefined) {
    try {
      cron = parseCron(input.spec.schedule);
    } catch (error) {
      const message = error instanceof FurnaceError ? error.message : String(error);
      return { status: { ...status, phase: 'Failed', message }, actions: [] };
    }
  }
  const step: Step = { spec: input.spec, now: input.now, o, cron };
  if (runInProgress(status)) return planRun(step, status, input);
  const idle = planIdle(step, status, input.createdAt);
  if ('actions' in idle) return idle;
  return planRun(step, idle, input);
}
