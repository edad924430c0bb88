// The comparison of a new version with the recording pinned as its workload's baseline: ask the server which
// recording is pinned (pinned-baseline.ts reads the answer), read its stacks like any version's (mergedStacks
// checks again that the catalog entry is of the Recording's namespace and the pod it names), compare.
import { profileOf } from '../../../core/contract/profile-types.ts';
import type { WatchComparison, WatchVersion } from '../../../core/crd/recording-watch.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';
import { mergedStacks, type RecordingDeps } from '../reconcile.ts';
import type { Recording } from '../recording-types.ts';
import { decideBaselineComparison, pinnedBaseline, workloadOfWatch } from './pinned-baseline.ts';
import { describeBaselineComparison, type CompareVersions } from './version-comparison.ts';

async function askPinned(deps: RecordingDeps, recording: Recording): Promise<unknown> {
  const watch = recording.spec.watch;
  if (!watch) return undefined;
  try {
    return await deps.server.listBaselines(recording.metadata.namespace, workloadOfWatch(watch));
  } catch (error) {
    deps.log?.warn(
      { err: error, recording: recording.metadata.name },
      'could not ask the server for the pinned baseline',
    );
    return undefined;
  }
}

/**
 * The pinned baseline as the "version" the new one is compared with, or undefined when the workload has
 * none this Recording may use, or it is the version before (or this one).
 */
export async function baselineVersion(
  deps: RecordingDeps,
  recording: Recording,
  version: WatchVersion,
  previous: WatchVersion | undefined,
): Promise<WatchVersion | undefined> {
  const watch = recording.spec.watch;
  if (!watch) return undefined;
  const answer = await askPinned(deps, recording);
  const wanted = {
    namespace: recording.metadata.namespace,
    workload: workloadOfWatch(watch),
    profile: profileOf(recording.spec),
  };
  const decision = decideBaselineComparison(pinnedBaseline(answer, wanted), version, previous);
  return decision.compare ? decision.before : undefined;
}

/** The comparison of the new version's stacks with the baseline's, or undefined when those cannot be read. */
export async function compareWithBaseline(
  deps: RecordingDeps & { compare: CompareVersions },
  recording: Recording,
  { baseline, version, stacks }: { baseline: WatchVersion; version: WatchVersion; stacks: FoldedStacks },
  now: Date,
): Promise<WatchComparison | undefined> {
  const { namespace } = recording.metadata;
  const before = await mergedStacks(deps, namespace, baseline.recordings).catch((error: unknown) => ({
    message: error instanceof Error ? error.message : String(error),
  }));
  if (!(before instanceof Map)) {
    deps.log?.warn(
      { recording: recording.metadata.name, reason: before.message },
      'could not compare with the pinned baseline',
    );
    return undefined;
  }
  return describeBaselineComparison(baseline, version, deps.compare(before, stacks), now);
}
