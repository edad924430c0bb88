// One reconcile of a watching Recording: read the workload and its pods, decide (plan-watch.ts), run the new
// version's recording as an ordinary run (reconcile.ts), and once it succeeded keep the version, compare it
// with the one before and with the workload's pinned baseline (core/compare/) and tell the result: status,
// conditions, Events, metrics.
import {
  WATCH_COMPARISONS_KEPT,
  WATCH_VERSIONS_KEPT,
  type WatchComparison,
  type WatchVersion,
} from '../../../core/crd/recording-watch.ts';
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { PodView } from '../plan.ts';
import type { Recording, RecordingStatus } from '../recording-types.ts';
import { mergedStacks, StacksReads } from '../merged-stacks.ts';
import { readAhead } from './read-ahead.ts';
import {
  deleteOwn,
  finishReconcile,
  pollAll,
  runRounds,
  type RecordingDeps,
  type RecordingOutcome,
} from '../reconcile.ts';
import type { SummaryFailed } from '../outcomes.ts';
import { beginRun, runInProgress } from '../runs.ts';
import { compareWithBaseline, pinnedOf, type PinnedAnswer } from './baseline-comparison.ts';
import { decideBaselineComparison, recordingsToDelete } from './pinned-baseline.ts';
import { untilRecorded } from './run-polls.ts';
import { planWatch, recordablePods, WATCH_POLL_MS, type WatchEvent } from './plan-watch.ts';
import {
  comparisonEvents,
  describeComparison,
  withRegressedCondition,
  type CompareVersions,
} from './version-comparison.ts';
import type { EventSubject, WatchKube } from './watch-kube.ts';

export interface WatchDeps extends RecordingDeps {
  watchKube: WatchKube;
  compare: CompareVersions;
  /** Told of every comparison made (the metrics). */
  onComparison?: (recording: Recording, workload: EventSubject, comparison: WatchComparison) => void;
}

function recordingSubject(recording: Recording): EventSubject {
  return {
    apiVersion: recording.apiVersion ?? 'furnace.hyperfoil.io/v1alpha1',
    kind: recording.kind ?? 'Recording',
    namespace: recording.metadata.namespace,
    name: recording.metadata.name,
    ...(recording.metadata.uid ? { uid: recording.metadata.uid } : {}),
  };
}

/** The version the run that just succeeded recorded, unless it is kept already. */
function newVersion(status: RecordingStatus): WatchVersion | undefined {
  const version = status.watch?.recording;
  if (status.phase !== 'Succeeded' || !version || !status.lastRunTime) return undefined;
  if (status.watch?.versions?.[0]?.recordedAt === status.lastRunTime) return undefined;
  const recordings = (status.results ?? [])
    .flatMap((r) => (r.recordingId ? [{ pod: r.pod, recordingId: r.recordingId }] : []))
    .sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
  return { version, recordedAt: status.lastRunTime, recordings, samples: status.samples ?? 0 };
}

interface Kept {
  status: RecordingStatus;
  events: WatchEvent[];
}

/** Deletes the catalog recordings of versions that fall off the kept list (recordingsToDelete). */
async function deleteDropped(
  deps: WatchDeps,
  namespace: string,
  targets: WatchVersion['recordings'],
): Promise<void> {
  for (const target of targets)
    await deleteOwn(deps, namespace, target).catch((error: unknown) =>
      deps.log?.warn({ err: error, recording: target.recordingId }, 'could not delete an old version'),
    );
}

/**
 * The status with a version's comparisons added (the one with the version before first, then the one with
 * the baseline): the list, the flag counts of each kind and the ProfileRegressed condition.
 */
export function withComparisons(
  status: RecordingStatus,
  added: readonly WatchComparison[],
  about: { workload: string; generation: number },
  now: Date,
): RecordingStatus {
  const comparisons = [...added, ...(status.watch?.comparisons ?? [])].slice(0, WATCH_COMPARISONS_KEPT);
  const flags = { regressed: 0, improved: 0, ...status.watch?.flags };
  const baselineFlags = { regressed: 0, improved: 0, ...status.watch?.baselineFlags };
  for (const { verdict, against } of added) {
    const counts = against === 'baseline' ? baselineFlags : flags;
    if (verdict === 'regressed' || verdict === 'improved') counts[verdict]++;
  }
  const anyBaseline = added.some((c) => c.against === 'baseline') || status.watch?.baselineFlags;
  const watch = { ...status.watch, comparisons, flags, ...(anyBaseline ? { baselineFlags } : {}) };
  return withRegressedCondition({ ...status, watch }, about, added, now);
}

/** The comparisons of a new version: with the one before, and with the pinned baseline (either may be absent). */
async function compareVersion(
  deps: WatchDeps,
  recording: Recording,
  {
    version,
    previous,
    baseline,
  }: { version: WatchVersion; previous?: WatchVersion; baseline?: WatchVersion },
): Promise<WatchComparison[]> {
  const { namespace } = recording.metadata;
  const [after, before] = await Promise.all([
    mergedStacks(deps, namespace, version.recordings),
    previous ? mergedStacks(deps, namespace, previous.recordings) : undefined,
  ]);
  const failed = [after, before].find(
    (stacks): stacks is SummaryFailed => stacks !== undefined && !(stacks instanceof Map),
  );
  if (failed || !(after instanceof Map) || (before !== undefined && !(before instanceof Map))) {
    const reason = failed?.message;
    deps.log?.warn({ recording: recording.metadata.name, reason }, 'could not compare versions');
    return [];
  }
  const now = new Date(deps.now());
  const added: WatchComparison[] =
    previous && before ? [describeComparison(previous, version, deps.compare(before, after), now)] : [];
  const withBaseline =
    baseline && (await compareWithBaseline(deps, recording, { baseline, version, stacks: after }, now));
  if (withBaseline) added.push(withBaseline);
  return added;
}

/**
 * Keeps the new version, compares it with the one before and with the pinned baseline, and deletes the
 * recordings no longer kept. The deletion is best effort (a failure is logged) and runs on its own: the
 * comparison, its Event and the status do not wait for the catalog to remove files.
 */
async function keepVersion(
  deps: WatchDeps,
  recording: Recording,
  status: RecordingStatus,
  kept: { version: WatchVersion; workload: EventSubject; pinned: Promise<PinnedAnswer> },
): Promise<Kept> {
  const { version, workload } = kept;
  const { namespace } = recording.metadata;
  const all = [version, ...(status.watch?.versions ?? [])];
  const versions = all.slice(0, WATCH_VERSIONS_KEPT);
  const { known, pinned } = await kept.pinned;
  // Not knowing which recording is pinned, delete none: it could be the baseline.
  if (known)
    void deleteDropped(deps, namespace, recordingsToDelete(versions, all.slice(WATCH_VERSIONS_KEPT), pinned));
  const next: RecordingStatus = { ...status, watch: { ...status.watch, versions } };
  const previous = all[1];
  const decision = decideBaselineComparison(pinned, version, previous);
  const baseline = decision.compare ? decision.before : undefined;
  if (!previous && !baseline) return { status: next, events: [] };
  const added = await compareVersion(deps, recording, {
    version,
    ...(previous ? { previous } : {}),
    ...(baseline ? { baseline } : {}),
  });
  if (added.length === 0) return { status: next, events: [] };
  const name = `${workload.kind} ${namespace}/${workload.name}`;
  const about = { workload: name, generation: recording.metadata.generation ?? 0 };
  for (const comparison of added) deps.onComparison?.(recording, workload, comparison);
  const now = new Date(deps.now());
  return { status: withComparisons(next, added, about, now), events: comparisonEvents(name, added) };
}

/** Each Event on every subject (the Recording and the workload) at once; a failure is logged, not thrown. */
async function tell(deps: WatchDeps, subjects: readonly EventSubject[], events: readonly WatchEvent[]) {
  for (const event of events)
    await Promise.all(
      subjects.map((subject) =>
        deps.watchKube
          .recordEvent(subject, event)
          .catch((error: unknown) =>
            deps.log?.warn(
              { err: error, reason: event.reason, object: subject.name },
              'could not record an Event',
            ),
          ),
      ),
    );
}

/** The workload's pods, narrowed by spec.target.selector unless it is {}. */
function watchedPods(deps: WatchDeps, recording: Recording, selector: V1LabelSelector): Promise<PodView[]> {
  const narrow = recording.spec.target.selector;
  const narrowing = narrow && (narrow.matchLabels || narrow.matchExpressions?.length) ? [narrow] : [];
  return deps.watchKube.podsOf(recording.metadata.namespace, [selector, ...narrowing]);
}

export async function reconcileWatch(given: WatchDeps, recording: Recording): Promise<RecordingOutcome> {
  const watch = recording.spec.watch;
  if (!watch) throw new Error('reconcileWatch: the Recording has no spec.watch');
  // The summary and the comparisons of this reconcile share their reads of the catalog's stacks.
  const deps: WatchDeps = { ...given, stacksReads: new StacksReads() };
  const { namespace } = recording.metadata;
  const workload = await deps.watchKube.readWorkload(watch.kind, namespace, watch.name);
  const pods = workload ? await watchedPods(deps, recording, workload.selector) : [];
  const pinnedAhead = readAhead(deps, recording);
  // The end from the catalog as soon as it has the stacks: the comparison reads nothing else (catalog-end.ts).
  const polled = await pollAll(deps, recording, pods, { fromCatalog: true });
  const now = new Date(deps.now());
  const plan = planWatch({
    watch,
    namespace,
    generation: recording.metadata.generation ?? 0,
    status: polled,
    workload,
    pods,
    now,
  });
  // A run begun ahead is dated at its settle's end: its starts carry that as startAt, and its end is awaited
  // from there (end-wait.ts, run-polls.ts).
  let status: RecordingStatus | undefined = plan.begin
    ? beginRun(plan.status, plan.runTime ?? now, undefined)
    : plan.status;
  let requeueAfterMs = plan.requeueAfterMs;
  const events = [...plan.events];
  if (runInProgress(status)) {
    const run = await runRounds(deps, recording, status, recordablePods(pods));
    status = run.status;
    requeueAfterMs = status
      ? untilRecorded(status, recording, deps.now(), run.requeueAfterMs)
      : WATCH_POLL_MS;
    const version = status && newVersion(status);
    if (status && version && workload) {
      const pinned = pinnedAhead ?? pinnedOf(deps, recording);
      const kept = await keepVersion(deps, recording, status, {
        version,
        workload: workload.subject,
        pinned,
      });
      status = kept.status;
      events.push(...kept.events);
      requeueAfterMs = 0;
    }
  }
  const subjects = workload ? [recordingSubject(recording), workload.subject] : [recordingSubject(recording)];
  // The Events and the status are written side by side: neither says anything the other needs first.
  const [, outcome] = await Promise.all([
    tell(deps, subjects, events),
    finishReconcile(deps, recording, status, requeueAfterMs),
  ]);
  return outcome;
}
