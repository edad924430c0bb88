// When a watch looks again at a version's run: the Event waits on these polls, so they are short where the
// run is about to move (a sidecar registering a moment after its pod got Ready, recordings being processed)
// and follow the recordings' end otherwise. Pure.
import type { Recording, RecordingStatus } from '../recording-types.ts';
import { runInProgress } from '../runs.ts';
import { WATCH_POLL_MS } from './plan-watch.ts';

/**
 * How often a pod the server refused for now is tried again: its sidecar registers a moment after the pod is
 * Ready (a process starting), and the recording of the whole version waits for it. One refused call a try.
 */
export const PENDING_START_POLL_MS = 200;

/**
 * How soon a run is looked at again once its pods should have finished recording and a reconcile did not see
 * them end: each of those reconciles' status reads waits on the recorder for the end (end-wait.ts), so the
 * Event follows the end itself; a recorder from before the wait answers at once, and is then polled this
 * often while it processes (0.1–0.6 s: perf script, collapse, upload).
 */
export const PROCESSING_POLL_MS = 100;

/** A run in progress is looked at when its recordings should end, then often until they are processed. */
export function untilRecorded(
  status: RecordingStatus,
  recording: Recording,
  now: number,
  planned: number | undefined,
): number | undefined {
  if (!runInProgress(status) || !status.lastRunTime) return planned;
  if (status.results?.some((r) => r.state === 'pending'))
    return Math.min(planned ?? WATCH_POLL_MS, PENDING_START_POLL_MS);
  const end = Date.parse(status.lastRunTime) + (recording.spec.durationSeconds ?? 0) * 1000;
  if (end > now) return Math.min(planned ?? WATCH_POLL_MS, end - now);
  return Math.min(planned ?? WATCH_POLL_MS, PROCESSING_POLL_MS);
}
