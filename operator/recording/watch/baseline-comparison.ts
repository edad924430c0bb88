// The comparison of a new version with the recording pinned as its workload's baseline: ask the server which
// recording is pinned (pinned-baseline.ts reads the answer), read its stacks like any version's (mergedStacks
// checks again that the catalog entry is of the Recording's namespace and the pod it names), compare.
import { profileOf } from '../../../core/contract/profile-types.ts';
import type { WatchComparison, WatchVersion } from '../../../core/crd/recording-watch.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';
import { mergedStacks } from '../merged-stacks.ts';
import type { RecordingDeps } from '../reconcile.ts';
import type { Recording } from '../recording-types.ts';
import { pinnedBaseline, workloadOfWatch, type PinnedBaseline } from './pinned-baseline.ts';
import { describeBaselineComparison, type CompareVersions } from './version-comparison.ts';

/** What the watch knows of the pinned baseline: `known` false when the server could not be asked. */
export interface PinnedAnswer {
  known: boolean;
  pinned?: PinnedBaseline;
}

/** The recording pinned as the watched workload's baseline, when the server names one this Recording may use. */
export async function pinnedOf(deps: RecordingDeps, recording: Recording): Promise<PinnedAnswer> {
  const watch = recording.spec.watch;
  if (!watch) return { known: true };
  const { namespace } = recording.metadata;
  const workload = workloadOfWatch(watch);
  let answer: unknown;
  try {
    answer = await deps.server.listBaselines(namespace, workload);
  } catch (error) {
    deps.log?.warn(
      { err: error, recording: recording.metadata.name },
      'could not ask the server for the pinned baseline',
    );
    return { known: false };
  }
  const pinned = pinnedBaseline(answer, { namespace, workload, profile: profileOf(recording.spec) });
  return pinned ? { known: true, pinned } : { known: true };
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
