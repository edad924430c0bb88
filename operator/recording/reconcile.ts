// One reconcile of a Recording: read the recordings in flight (waiting for their end once they should have
// ended: end-wait.ts), then plan (plan.ts), act on the server, fold the outcomes in and plan again until
// nothing is left to do; write the status once, if it changed.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { totalSamples } from '../../core/stacks/folded.ts';
import { foreignEntry } from './catalog-owner.ts';
import { isContinuous, reconcileContinuous } from './continuous.ts';
import { DELIVERY_POLL_MS, deliveriesOf, resultsToFollow } from './deliveries.ts';
import { readEnd, type CatalogEndTiming } from './catalog-end.ts';
import { endWaitSeconds } from './end-wait.ts';
import { applyOutcome, type Outcome, type Polled } from './outcomes.ts';
import { mergedStacks, type StacksDeps } from './merged-stacks.ts';
import { planRecording, pollsOf, type PlanAction, type PlanOptions, type PodView } from './plan.ts';
import type { RecordingKube } from './recording-kube.ts';
import type { Recording, RecordingSpec, RecordingStatus } from './recording-types.ts';
import { describeStartFailure, isNotFound } from './server-errors.ts';
import type { FurnaceServerClient, StartBody } from './server-client.ts';
import { topSelfFunctions } from './top-functions.ts';

export interface RecordingLog {
  warn(obj: object, msg: string): void;
}

export interface RecordingDeps extends StacksDeps {
  kube: RecordingKube;
  server: FurnaceServerClient;
  /** Milliseconds since the epoch; decides when scheduled runs are due and when waits time out. */
  now: () => number;
  options?: Partial<PlanOptions>;
  log?: RecordingLog;
}

export interface RecordingOutcome {
  requeueAfterMs?: number;
}

/** Plan-act rounds in one reconcile: start, then stop on a failure or summarize, then the end of the run. */
const MAX_ROUNDS = 6;

/**
 * The start request of a run's pod; `startAt` (a run dated ahead: a rollout watch's, at its settle's end) is
 * sent only then, so servers from before the field take every other start as they did.
 */
export function startBody(spec: RecordingSpec, startAt?: string): StartBody {
  return {
    // Required by the CRD unless spec.continuous, which never gets here; 0 is refused by the server.
    durationSeconds: spec.durationSeconds ?? 0,
    ...(spec.frequency !== undefined ? { frequency: spec.frequency } : {}),
    ...(spec.event !== undefined ? { event: spec.event } : {}),
    ...(spec.callGraph !== undefined ? { callGraph: spec.callGraph } : {}),
    ...(spec.symbols !== undefined ? { symbols: spec.symbols } : {}),
    ...(spec.container !== undefined ? { container: spec.container } : {}),
    // `perf` is what the server does without the field, which servers before the profilers do not know.
    ...(spec.profiler !== undefined && spec.profiler !== 'perf' ? { profiler: spec.profiler } : {}),
    // Sent only when set, so servers from before profile types take a CPU Recording as they did.
    ...(spec.profile !== undefined ? { profile: spec.profile } : {}),
    ...(spec.sinks !== undefined && spec.sinks.length > 0 ? { sinks: [...spec.sinks] } : {}),
    ...(startAt !== undefined ? { startAt } : {}),
  };
}

/** The run's time when it is still ahead: its recordings are asked to begin sampling then (startAt). */
function aheadOf(runTime: string | undefined, now: number): string | undefined {
  return runTime !== undefined && Date.parse(runTime) > now ? runTime : undefined;
}

async function poll(
  deps: RecordingDeps,
  namespace: string,
  pods: readonly PodView[],
  read: { pod: string; recordingId: string; waitSeconds: number | undefined; catalog?: CatalogEndTiming },
): Promise<Outcome | undefined> {
  const { pod, recordingId, waitSeconds, catalog } = read;
  const target = { pod, recordingId };
  try {
    return polled(target, await readEnd(deps, { namespace, ...target }, waitSeconds, catalog));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // The pod is gone or no longer registered: the catalog still knows how its recording ended.
    const entry = await deps.server.getCatalogEntry(recordingId);
    const foreign = entry && foreignEntry(entry, namespace, pod);
    if (foreign) return polled(target, { state: 'failed', error: foreign });
    if (entry && (entry.state === 'done' || entry.state === 'failed')) return polled(target, entry);
    if (pods.some((p) => p.name === pod && p.phase === 'Running' && p.deleting !== true)) return undefined;
    return polled(target, {
      state: 'failed',
      error: `pod ${namespace}/${pod} went away during its recording`,
    });
  }
}

/** What a poll found, from the sidecar's status of the recording or the catalog's entry. */
function polled(
  target: { pod: string; recordingId: string },
  found: { state: Polled['state']; samples?: number; error?: string },
): Polled {
  return {
    kind: 'polled',
    pod: target.pod,
    recordingId: target.recordingId,
    state: found.state,
    ...(found.samples !== undefined ? { samples: found.samples } : {}),
    ...(found.error !== undefined ? { message: found.error } : {}),
  };
}

async function summarize(
  deps: RecordingDeps,
  namespace: string,
  results: { pod: string; recordingId: string }[],
): Promise<Outcome[]> {
  const merged = await mergedStacks(deps, namespace, results);
  if (!(merged instanceof Map)) return [merged];
  return [{ kind: 'summarized', samples: totalSamples(merged), topFunctions: topSelfFunctions(merged) }];
}

/** Deletes an old run's recording, unless the catalog says it is not that pod's (or has it no more). */
export async function deleteOwn(
  deps: RecordingDeps,
  namespace: string,
  target: { pod: string; recordingId: string },
): Promise<void> {
  const entry = await deps.server.getCatalogEntry(target.recordingId);
  if (!entry) return;
  const foreign = foreignEntry(entry, namespace, target.pod);
  if (foreign) {
    deps.log?.warn(
      { recording: target.recordingId, pod: `${namespace}/${target.pod}`, reason: foreign },
      'did not delete a recording of another pod',
    );
    return;
  }
  await deps.server.deleteRecording(target.recordingId);
}

/**
 * The Idempotency-Key of a run's start of one pod: the same for every attempt (an operator restarted
 * between the server's answer and the status write gets the recording it started, not a second one).
 */
export function runStartKey(recording: Recording, runTime: string | undefined, pod: string): string {
  const identity = `${recording.metadata.uid ?? recording.metadata.name}\n${runTime ?? ''}\n${pod}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 40);
}

async function act(
  deps: RecordingDeps,
  recording: Recording,
  action: PlanAction,
  runTime: string | undefined,
): Promise<Outcome[]> {
  const { namespace } = recording.metadata;
  switch (action.kind) {
    case 'start':
      try {
        const started = await deps.server.startRecording(
          namespace,
          action.pod,
          startBody(recording.spec, aheadOf(runTime, deps.now())),
          runStartKey(recording, runTime, action.pod),
        );
        return [{ kind: 'started', pod: action.pod, recordingId: started.id }];
      } catch (error) {
        return [{ kind: 'refused', pod: action.pod, ...describeStartFailure(namespace, action.pod, error) }];
      }
    case 'stop':
      // Best effort: a recording that already ended cannot be stopped, and one that is not reached ends by itself.
      await deps.server
        .stopRecording(namespace, action.pod, action.recordingId)
        .catch((error: unknown) =>
          deps.log?.warn(
            { err: error, pod: action.pod, recording: action.recordingId },
            'could not stop a recording',
          ),
        );
      return [];
    case 'delete':
      await deleteOwn(deps, namespace, action).catch((error: unknown) =>
        deps.log?.warn({ err: error, recording: action.recordingId }, 'could not delete an old recording'),
      );
      return [];
    case 'summarize':
      return summarize(deps, namespace, action.results);
  }
}

/**
 * The status with the latest answers about the recordings in flight, read at once; once the run should have
 * stopped recording, each read waits for its recording's end (end-wait.ts), and with `fromCatalog` the
 * catalog is read for it too (catalog-end.ts).
 */
export async function pollAll(
  deps: RecordingDeps,
  recording: Recording,
  pods: readonly PodView[],
  options: { fromCatalog?: boolean } = {},
): Promise<RecordingStatus | undefined> {
  let status = recording.status;
  const now = deps.now();
  const waitSeconds = endWaitSeconds(status, recording.spec, now);
  const { namespace } = recording.metadata;
  const targets = pollsOf(status);
  const endsAt = Date.parse(status?.lastRunTime ?? '') + (recording.spec.durationSeconds ?? 0) * 1000;
  // A watch also learns the end from the catalog (catalog-end.ts); other runs from their recorders only.
  const catalog =
    options.fromCatalog && waitSeconds !== undefined && Number.isFinite(endsAt)
      ? { catalog: { endsAt, until: now + waitSeconds * 1000, pods: targets.length } }
      : {};
  const outcomes = await Promise.all(
    targets.map((target) => poll(deps, namespace, pods, { ...target, waitSeconds, ...catalog })),
  );
  for (const outcome of outcomes) if (outcome && status) status = applyOutcome(status, outcome);
  return status;
}

/** The status with the done results' pushes to sinks as their catalog entries say; whether any is still to learn. */
async function followDeliveries(
  deps: RecordingDeps,
  spec: RecordingSpec,
  status: RecordingStatus | undefined,
): Promise<{ status: RecordingStatus | undefined; following: boolean }> {
  let current = status;
  for (const result of resultsToFollow(spec, status)) {
    const recordingId = result.recordingId ?? '';
    const entry = await deps.server.getCatalogEntry(recordingId).catch((error: unknown) => {
      deps.log?.warn({ err: error, recording: recordingId }, 'could not read the pushes to sinks');
      return undefined;
    });
    const delivered = deliveriesOf(spec, { ...result, recordingId }, entry, deps.now());
    if (delivered && current) current = applyOutcome(current, delivered);
  }
  return { status: current, following: resultsToFollow(spec, current).length > 0 };
}

export async function reconcileRecording(
  deps: RecordingDeps,
  recording: Recording,
): Promise<RecordingOutcome> {
  if (isContinuous(recording)) return reconcileContinuous(deps, recording);
  const pods = await deps.kube.targetPods(recording.metadata.namespace, recording.spec.target);
  const status = await pollAll(deps, recording, pods);
  const run = await runRounds(deps, recording, status, pods);
  return finishReconcile(deps, recording, run.status, run.requeueAfterMs);
}

/** Plans and acts until nothing is left to do in this reconcile (a run begun by the caller is taken up). */
export async function runRounds(
  deps: RecordingDeps,
  recording: Recording,
  polled: RecordingStatus | undefined,
  pods: readonly PodView[],
): Promise<{ status: RecordingStatus | undefined; requeueAfterMs: number | undefined }> {
  let status = polled;
  const now = new Date(deps.now());
  const tried: string[] = [];
  const input = {
    namespace: recording.metadata.namespace,
    generation: recording.metadata.generation ?? 0,
    createdAt: new Date(recording.metadata.creationTimestamp ?? now),
    spec: recording.spec,
    pods,
    now,
    tried,
    ...(deps.options ? { options: deps.options } : {}),
  };
  // Rounds left over (not expected) are taken up again soon.
  let requeueAfterMs: number | undefined = deps.options?.pollIntervalMs ?? 2000;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const plan = planRecording({ ...input, status });
    status = plan.status;
    if (plan.actions.length === 0) {
      requeueAfterMs = plan.requeueAfterMs;
      break;
    }
    for (const action of plan.actions) if (action.kind === 'start') tried.push(action.pod);
    const runTime = status?.lastRunTime;
    const outcomes = await Promise.all(plan.actions.map((action) => act(deps, recording, action, runTime)));
    status = outcomes.flat().reduce(applyOutcome, status);
  }
  return { status, requeueAfterMs };
}

/** Follows the pushes to sinks, writes the status if it changed, and says when to look again. */
export async function finishReconcile(
  deps: RecordingDeps,
  recording: Recording,
  planned: RecordingStatus | undefined,
  requeueAfterMs: number | undefined,
): Promise<RecordingOutcome> {
  const { status, following } = await followDeliveries(deps, recording.spec, planned);
  if (status && !isDeepStrictEqual(status, recording.status)) await deps.kube.writeStatus(recording, status);
  const after = following ? Math.min(requeueAfterMs ?? DELIVERY_POLL_MS, DELIVERY_POLL_MS) : requeueAfterMs;
  return after !== undefined ? { requeueAfterMs: after } : {};
}
