// How the operator learns that a run's recordings ended: once a run should have stopped recording, its status
// reads wait on the recorder for each recording's end (GET …/recordings/:id?waitSeconds=N through the
// server's proxy; core/contract/status-wait.ts) instead of polling, so the run's next step (the summary, a
// rollout watch's comparison and Event) follows the end at once. The wait is bounded: the recorder answers
// after END_WAIT_SECONDS at most, the client gives up a little after that (server-client.ts), and a read that
// waited and failed other than with a 404 is made again as a plain poll (core/contract/status-follow.ts, the
// CLI's too). A recorder from before the wait answers at once, which is a poll; the reconcile then looks
// again as it did (run-polls.ts).
import type { RecordingStatus as SidecarRecording } from '../../core/contract/recording.ts';
import { readWaitingOrPoll, type StatusReads } from '../../core/contract/status-follow.ts';
import type { RecordingSpec, RecordingStatus } from './recording-types.ts';
import { runInProgress } from './runs.ts';
import { isNotFound } from './server-errors.ts';
import type { FurnaceServerClient } from './server-client.ts';

/**
 * The longest one reconcile waits on a recording's end. Processing usually takes 0.1–0.6 s; a longer one is
 * waited on again by the next reconcile. Short, since a waiting reconcile holds one of the operator's workers.
 */
export const END_WAIT_SECONDS = 5;

/** A run's reads begin to wait this long before the run should stop recording (timers fire a little late or early). */
export const END_WAIT_LEAD_MS = 1000;

/**
 * How long this reconcile's status reads wait for the recordings' end, in seconds; undefined for a plain poll:
 * before the run's recordings should have ended, or while a pod of the run still waits for its start (that
 * start must not wait behind the others' end). Pure.
 */
export function endWaitSeconds(
  status: RecordingStatus | undefined,
  spec: Pick<RecordingSpec, 'durationSeconds'>,
  now: number,
): number | undefined {
  if (!status?.lastRunTime || !runInProgress(status)) return undefined;
  if (!status.results?.length || status.results.some((r) => r.state === 'pending')) return undefined;
  const end = Date.parse(status.lastRunTime) + (spec.durationSeconds ?? 0) * 1000;
  if (!Number.isFinite(end) || now < end - END_WAIT_LEAD_MS) return undefined;
  return END_WAIT_SECONDS;
}

/**
 * The recording's status from its recorder, waiting `waitSeconds` for its end when given. A 404 is passed on
 * (the pod is gone: the caller asks the catalog); any other failure of the waiting read (cut, timed out, a
 * server or recorder that refuses the wait) falls back to a plain read.
 */
export async function readRecordingStatus(
  server: FurnaceServerClient,
  target: { namespace: string; pod: string; recordingId: string },
  waitSeconds: number | undefined,
  log?: { warn(obj: object, msg: string): void },
): Promise<SidecarRecording> {
  const { namespace, pod, recordingId } = target;
  const reads: StatusReads<SidecarRecording> = {
    poll: () => server.getRecording(namespace, pod, recordingId),
    wait: (seconds) => server.getRecording(namespace, pod, recordingId, { waitSeconds: seconds }),
    isNotFound,
  };
  return readWaitingOrPoll(reads, waitSeconds, (error) =>
    log?.warn(
      { err: error, pod: `${namespace}/${pod}`, recording: recordingId },
      'a status read waiting for the end failed; polling instead',
    ),
  );
}
