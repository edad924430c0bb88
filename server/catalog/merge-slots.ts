// How many merges run at once, and how many may wait: a merge is seconds of CPU on the server's one
// thread, so viewers asking for many different merges at once would starve every other request. Past
// the queue a merge is refused with 503 and Retry-After, saying why, rather than waiting without end.
import pLimit from 'p-limit';
import { FurnaceError } from '../../core/contract/errors.ts';

export interface MergeSettings {
  /** `merge.maxConcurrent`: merges computed at once. */
  maxConcurrent: number;
  /** `merge.maxQueued`: merges waiting for a slot; more are refused. */
  maxQueued: number;
  /** `merge.cacheBytes`: rendered merges kept for the next viewer. */
  cacheBytes: number;
}

export const DEFAULT_MERGE_SETTINGS: Readonly<MergeSettings> = {
  maxConcurrent: 1,
  maxQueued: 4,
  cacheBytes: 64 * 1024 * 1024,
};

/** Seconds a refused caller is told to wait. */
export const MERGE_RETRY_SECONDS = 5;

export interface MergeSlots {
  /** Runs work when a slot is free; throws ERR_UNAVAILABLE (retryAfterSeconds) when the queue is full. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createMergeSlots(settings: Pick<MergeSettings, 'maxConcurrent' | 'maxQueued'>): MergeSlots {
  const limit = pLimit(settings.maxConcurrent);
  return {
    run(work) {
      if (limit.pendingCount >= settings.maxQueued)
        return Promise.reject(
          new FurnaceError(
            'ERR_UNAVAILABLE',
            `the server is merging ${limit.activeCount} flame graphs with ${limit.pendingCount} waiting, the most merge.maxConcurrent (${settings.maxConcurrent}) and merge.maxQueued (${settings.maxQueued}) allow; try again in ${MERGE_RETRY_SECONDS} s`,
            { field: 'merge.maxQueued', limit: settings.maxQueued, retryAfterSeconds: MERGE_RETRY_SECONDS },
          ),
        );
      return limit(work);
    },
  };
}
