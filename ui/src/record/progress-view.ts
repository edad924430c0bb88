// What the progress bar says about a running recording: the stage, elapsed and remaining time.
import type { RecordingStage, RecordingStatus } from '../../../core/contract/recording.ts';

export const STAGE_LABELS: Readonly<Record<RecordingStage, string>> = {
  record: 'Recording samples',
  script: 'Reading samples (perf script)',
  collapse: 'Collapsing stacks',
  render: 'Rendering the flame graph',
  upload: 'Uploading to the catalog',
};

export interface ProgressView {
  /** The stage while it runs (and where a failed one stopped); a done recording has none. */
  stage: RecordingStage | 'done';
  label: string;
  /** 0..100, whole numbers. */
  percent: number;
  elapsedSeconds: number;
  /** While sampling: seconds until the duration ends; undefined once processing, or when recording until Stop. */
  remainingSeconds: number | undefined;
  finished: boolean;
}

/** The stage's words while it runs; once finished, the outcome (never left at "upload"). */
function labelOf(status: RecordingStatus): string {
  if (status.state === 'failed') return 'Failed';
  if (status.state === 'done')
    return status.warnings?.length ? 'Done, with warnings' : 'Done: opening the recording';
  // A start asked ahead (startAt) that has not begun sampling yet.
  if (status.startsAt !== undefined) return `Starting at ${status.startsAt}`;
  return status.stage === undefined ? '' : STAGE_LABELS[status.stage];
}

/** `untilStopped`: the user asked to record until Stop; the duration sent is only the server's cap, not a time left. */
export function describeProgress(status: RecordingStatus, nowMs: number, untilStopped = false): ProgressView {
  const started = Date.parse(status.startedAt);
  const ended = status.endedAt ? Date.parse(status.endedAt) : nowMs;
  const elapsedSeconds = Number.isFinite(started) ? Math.max(0, Math.floor((ended - started) / 1000)) : 0;
  const sampling = status.state === 'recording' && status.stage === 'record';
  return {
    stage: status.stage ?? 'done',
    label: labelOf(status),
    percent: Math.round(Math.min(1, Math.max(0, status.progress)) * 100),
    elapsedSeconds,
    remainingSeconds:
      sampling && !untilStopped ? Math.max(0, status.params.durationSeconds - elapsedSeconds) : undefined,
    finished: status.state === 'done' || status.state === 'failed',
  };
}

/** 75 → "1:15". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
