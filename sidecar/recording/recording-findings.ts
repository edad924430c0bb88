// Why a finished recording's graph may look empty or unnamed (core/stacks/diagnose.ts), as the warnings of
// its status.
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { diagnoseStacks } from '../../core/stacks/diagnose.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';

/** The findings for a recording's stacks; `recordedSeconds`: from its start to the end of recording. */
export function recordingFindings(
  status: Pick<RecordingStatus, 'params' | 'targets' | 'callGraphUsed'>,
  stacks: FoldedStacks | undefined,
  recordedSeconds: number,
): string[] {
  if (stacks === undefined) return [];
  const { params, targets } = status;
  return diagnoseStacks(stacks, {
    // What was recorded (a stop comes early); whole seconds, at least one.
    durationSeconds: Math.max(1, Math.min(params.durationSeconds, Math.round(recordedSeconds))),
    frequency: params.frequency,
    // What perf walked (auto resolved); a status without one is from a recorder that took the request's.
    callGraph: status.callGraphUsed ?? (params.callGraph === 'auto' ? undefined : params.callGraph),
    processes: targets.map((t) => t.comm),
    ...(params.profile === 'offcpu' || params.profile === 'wall' ? { timed: params.profile } : {}),
  });
}
