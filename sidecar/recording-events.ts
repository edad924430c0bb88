// What a running recording reports to its state machine (recording/recording-machine.ts): the profilers,
// the render step and the upload all speak through this one channel.
import type { ArtifactName } from '../core/contract/names.ts';
import type { RecordingStage } from '../core/contract/recording.ts';

export type RecordingEvent =
  | { type: 'progress'; fraction: number }
  | { type: 'stage'; stage: RecordingStage }
  | { type: 'artifact'; name: ArtifactName }
  | { type: 'samples'; samples: number }
  | { type: 'warning'; message: string }
  /** Why recording ended, in words (RecordingStatus.endReason). */
  | { type: 'ended'; reason: string }
  /** An upload attempt ended: the warning of an earlier one that failed goes. */
  | { type: 'clear-upload-failure' }
  | { type: 'done'; at: Date }
  | { type: 'failed'; error: string; at: Date };
