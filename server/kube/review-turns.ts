// How many reviews (TokenReview, SubjectAccessReview) the server has at the API server at once, and how
// many may wait for a turn. Without a bound, 5,000 sidecars registering together (or all their cached
// reviews expiring together) opened one connection to the API server per review: each connection, its
// TLS state and its pending answer held memory until the API server caught up, and on a loaded machine
// both replicas of `bench:registry -- --replicas 2` ran out of their 128 MiB heap. Past the waiting
// bound a review is refused with 503 and Retry-After; a sidecar registers again with backoff.
import pLimit from 'p-limit';
import { FurnaceError } from '../../core/contract/errors.ts';

export interface ReviewTurnSettings {
  /** Reviews sent to the API server at once. */
  atOnce: number;
  /** Reviews waiting for a turn; more are refused. */
  waiting: number;
}

export const DEFAULT_REVIEW_TURNS: Readonly<ReviewTurnSettings> = Object.freeze({
  atOnce: 32,
  waiting: 4_000,
});

/** Seconds a refused caller is told to wait. */
export const REVIEW_RETRY_SECONDS = 2;

export type ReviewTurns = <T>(call: () => Promise<T>) => Promise<T>;

export function createReviewTurns(settings: ReviewTurnSettings = DEFAULT_REVIEW_TURNS): ReviewTurns {
  const limit = pLimit(settings.atOnce);
  return (call) => {
    if (limit.pendingCount >= settings.waiting)
      return Promise.reject(
        new FurnaceError(
          'ERR_UNAVAILABLE',
          `the server has ${limit.activeCount} reviews at the Kubernetes API server and ${limit.pendingCount} waiting, the most it keeps (${settings.waiting}); try again in ${REVIEW_RETRY_SECONDS} s`,
          { limit: settings.waiting, retryAfterSeconds: REVIEW_RETRY_SECONDS },
        ),
      );
    return limit(call);
  };
}
