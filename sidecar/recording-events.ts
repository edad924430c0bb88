// What a running recording reports to its state machine (recording/recording-machine.ts): the profilers,
// the render step and the upload all speak through this one channel.
import type { ArtifactName } from '../core/contract/names.ts';
import type { RecordingStage } from '../core/contract/recording.ts';

/**
 * What a warning is about, where that matters to the recorder: `symbols` (what the symbol sources said about
 * naming the frames: debug files found or missing, the image's binaries, how symbolizing again ended) and
 * `diagnosis` (core/stacks/diagnose.ts, read from the stacks). Symbolizing a recording again makes both anew
 * (recording/resymbolize.ts) and replaces the recording's earlier ones; a warning with no kind stays.
 */
export type WarningKind = 'symbols' | 'diagnosis';

export type RecordingEvent =
  | { type: 'progress'; fraction: number }
  | { type: 'stage'; stage: RecordingStage }
  | { type: 'artifact'; name: ArtifactName }
  | { type: 'samples'; samples: number }
  | { type: 'warning'; message: string; kind?: WarningKind }
  /** The recording's warnings of this kind, all of them now: the earlier ones of the kind go. */
  | { type: 'warnings'; kind: WarningKind; messages: string[] }
  /**
   * Sampling began at `at` (perf's events went on; a start asked ahead ran): the status's startedAt becomes
   * it, so a recording is dated at its real start, not at its request.
   */
  | { type: 'sampling'; at: Date }
  /** Why recording ended, in words (RecordingStatus.endReason). */
  | { type: 'ended'; reason: string }
  /** An upload attempt ended: the warning of an earlier one that failed goes. */
  | { type: 'clear-upload-failure' }
  | { type: 'done'; at: Date }
  | { type: 'failed'; error: string; at: Date };
