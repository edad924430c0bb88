// The runs of a Recording: beginning one (a clean slate of results) and ending one (its phase, and for a
// scheduled Recording its place in `runs`, whose oldest entries fall off with their catalog recordings).
import type {
  PodResult,
  RecordingPhase,
  RecordingRun,
  RecordingSpec,
  RecordingStatus,
} from './recording-types.ts';

export const DEFAULT_KEEP = 5;

/** Whether a run has begun and not yet ended (Succeeded or Failed). */
export function runInProgress(status: RecordingStatus): boolean {
  return status.lastRunTime !== undefined && status.phase !== 'Succeeded' && status.phase !== 'Failed';
}

/** The status at the start of a run at `now`: the previous run's results are gone (kept in `runs`). */
export function beginRun(status: RecordingStatus, now: Date, nextRunTime: Date | undefined): RecordingStatus {
  const next: RecordingStatus = { ...status, phase: 'Pending', lastRunTime: now.toISOString() };
  delete next.results;
  delete next.merged;
  delete next.samples;
  delete next.topFunctions;
  delete next.message;
  if (nextRunTime) next.nextRunTime = nextRunTime.toISOString();
  else delete next.nextRunTime;
  return next;
}

/** A catalog recording a run made: the pod it was started on, and the id the pod's sidecar answered. */
export interface RunRecording {
  pod: string;
  recordingId: string;
}

function recordingsOf(results: readonly PodResult[] | undefined): RunRecording[] {
  return (results ?? []).flatMap((result) =>
    result.recordingId ? [{ pod: result.pod, recordingId: result.recordingId }] : [],
  );
}

export interface FinishedRun {
  status: RecordingStatus;
  /** Catalog recordings of runs no longer kept. */
  deletes: RunRecording[];
}

/** Ends the current run; a scheduled Recording keeps the newest `keep` runs, newest first. */
export function finishRun(
  status: RecordingStatus,
  spec: RecordingSpec,
  phase: Extract<RecordingPhase, 'Succeeded' | 'Failed'>,
  message: string,
): FinishedRun {
  const finished: RecordingStatus = { ...status, phase, message };
  if (spec.schedule === undefined) return { status: finished, deletes: [] };
  const run: RecordingRun = {
    startTime: status.lastRunTime ?? '',
    phase,
    message,
    results: status.results ?? [],
    ...(status.merged ? { merged: status.merged } : {}),
    ...(status.samples !== undefined ? { samples: status.samples } : {}),
    ...(status.topFunctions ? { topFunctions: status.topFunctions } : {}),
  };
  const all = [run, ...(status.runs ?? [])];
  const keep = Math.max(1, spec.keep ?? DEFAULT_KEEP);
  const kept = new Set(all.slice(0, keep).flatMap((r) => recordingsOf(r.results).map((k) => k.recordingId)));
  const deletes = all
    .slice(keep)
    .flatMap((r) => recordingsOf(r.results).filter((d) => !kept.has(d.recordingId)));
  return { status: { ...finished, runs: all.slice(0, keep) }, deletes };
}
