// What a watch's comparison needs besides the new version, read while the reconcile waits for the run's end
// (end-wait.ts): which recording is pinned as the baseline, and the stacks of the version before and of the
// baseline. The reconcile's StacksReads keeps them, so after the end only the new version's stacks are read.
import { endWaitSeconds } from '../end-wait.ts';
import { mergedStacks } from '../merged-stacks.ts';
import type { RecordingDeps } from '../reconcile.ts';
import type { Recording } from '../recording-types.ts';
import { pinnedOf, type PinnedAnswer } from './baseline-comparison.ts';

/**
 * Starts the reads ahead and answers the pinned baseline's promise (which never rejects); undefined when the
 * reconcile does not wait for the end (the baseline is then asked for once a version is recorded). A stacks
 * read ahead that fails is read again when the comparison asks for it (merged-stacks.ts).
 */
export function readAhead(deps: RecordingDeps, recording: Recording): Promise<PinnedAnswer> | undefined {
  const { status, metadata } = recording;
  if (endWaitSeconds(status, recording.spec, deps.now()) === undefined) return undefined;
  const previous = status?.watch?.versions?.[0];
  if (previous) void mergedStacks(deps, metadata.namespace, previous.recordings);
  return pinnedOf(deps, recording).then((answer) => {
    const pinned = answer.pinned;
    const isPrevious = previous?.recordings.some((r) => r.recordingId === pinned?.recordingId) ?? false;
    if (pinned && !isPrevious)
      void mergedStacks(deps, metadata.namespace, [{ pod: pinned.pod, recordingId: pinned.recordingId }]);
    return answer;
  });
}
