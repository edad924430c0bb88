// A client's side of the status read that waits (status-wait.ts): one read that waits and falls back to a
// plain read (the operator's reconcile), and the loop that follows a recording to its end (`furnace record`,
// the assistant's record tool). The loop keeps reading while the recording runs, with short waits so that
// progress still shows, and waits longer from a little before the recording should stop; the end comes back
// with the read it ends, not at the next poll. A recorder from before the wait answers at once: the loop then
// tops each read up to POLL_MS, as the plain poll it was. Pure: the reads and the clock come in.
import { MAX_STATUS_WAIT_SECONDS } from './status-wait.ts';

/** How long past its wait a waiting read is given before the client stops waiting for its answer. */
export const STATUS_WAIT_GRACE_MS = 3000;

/** A plain poll's period, for a recorder that does not wait (and after a waiting read failed). */
export const POLL_MS = 1000;

/** While the recording runs, each read waits this long: progress shows every few seconds. */
export const PROGRESS_WAIT_SECONDS = 2;

/** From this long before the recording should stop, a read waits for its end (and its processing). */
export const FINAL_WAIT_LEAD_MS = 1000;

/** What a final wait waits past the time the recording should stop: processing usually takes 0.1–0.6 s. */
export const FINAL_WAIT_SECONDS = 5;

/** The two reads of a recording's status a client has. */
export interface StatusReads<S> {
  /** A plain read. */
  poll(): Promise<S>;
  /** A read the recorder holds up to `seconds` for the end; it gives up STATUS_WAIT_GRACE_MS after that. */
  wait(seconds: number): Promise<S>;
  /** A 404: the recording or its pod is gone; never answered by a plain read instead. */
  isNotFound(error: unknown): boolean;
}

/**
 * The status, read waiting `seconds` for the end when given. A 404 is passed on; any other failure of the
 * waiting read (cut, timed out, refused by a server or recorder) is told to `fellBack` and the status is read
 * again plainly.
 */
export async function readWaitingOrPoll<S>(
  reads: StatusReads<S>,
  seconds: number | undefined,
  fellBack?: (error: unknown) => void,
): Promise<S> {
  if (seconds === undefined) return reads.poll();
  try {
    return await reads.wait(seconds);
  } catch (error) {
    if (reads.isNotFound(error)) throw error;
    fellBack?.(error);
    return reads.poll();
  }
}

/**
 * How long the next read waits, in whole seconds (1 to MAX_STATUS_WAIT_SECONDS), `now` and `endsAt` on one
 * clock: PROGRESS_WAIT_SECONDS while the recording has longer than that (and FINAL_WAIT_LEAD_MS) to run, then
 * one wait to FINAL_WAIT_SECONDS past its end. Pure.
 */
export function nextWaitSeconds(now: number, endsAt: number): number {
  const left = endsAt - now;
  if (left > PROGRESS_WAIT_SECONDS * 1000 + FINAL_WAIT_LEAD_MS) return PROGRESS_WAIT_SECONDS;
  const seconds = Math.ceil(Math.max(0, left) / 1000) + FINAL_WAIT_SECONDS;
  return Math.min(seconds, MAX_STATUS_WAIT_SECONDS);
}

export interface FollowClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface FollowOptions<S> {
  reads: StatusReads<S>;
  clock: FollowClock;
  /** When the recording should stop recording, on the clock's scale (the start's answer + its duration). */
  endsAt: number;
  /** Each status before the next read, the first included (progress lines, notifications). */
  onStatus?: (status: S) => void | Promise<void>;
  /** A waiting read failed: from then on this recording is polled plainly. */
  fellBack?: (error: unknown) => void;
}

const finished = (status: { state: string }): boolean => status.state === 'done' || status.state === 'failed';

/**
 * Reads the status until the recording is done or failed and returns that status. Reads wait (nextWaitSeconds)
 * until one fails, after which the recording is polled every POLL_MS; a read answered sooner than POLL_MS
 * with the recording still running (a recorder that ignores the wait, or one with too many reads waiting)
 * is topped up to POLL_MS. A failed plain read, and a 404, end the loop with their error.
 */
export async function followToEnd<S extends { state: string }>(
  started: S,
  options: FollowOptions<S>,
): Promise<S> {
  const { reads, clock } = options;
  let status = started;
  let waiting = true;
  while (!finished(status)) {
    await options.onStatus?.(status);
    const asked = clock.now();
    if (waiting) {
      status = await readWaitingOrPoll(reads, nextWaitSeconds(asked, options.endsAt), (error) => {
        waiting = false;
        options.fellBack?.(error);
      });
      const took = clock.now() - asked;
      if (!finished(status) && took < POLL_MS) await clock.sleep(POLL_MS - took);
    } else {
      await clock.sleep(POLL_MS);
      status = await reads.poll();
    }
  }
  return status;
}
