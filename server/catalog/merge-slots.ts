// How many merges run at once, and how many may wait: a merge is seconds of CPU on the server's one
// thread, so viewers asking for many different merges at once would starve every other request. Past
// the queue a merge is refused with 503 and Retry-After, saying why, rather than waiting without end.
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
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  const acquire = async (): Promise<void> => {
    if (running < settings.maxConcurrent) {
      running += 1;
      return;
    }
    if (waiting.length >= settings.maxQueued)
      throw new FurnaceError(
        'ERR_UNAVAILABLE',
        `the server is merging ${running} flame graphs with ${waiting.length} waiting, the most merge.maxConcurrent (${settings.maxConcurrent}) and merge.maxQueued (${settings.maxQueued}) allow; try again in ${MERGE_RETRY_SECONDS} s`,
        { field: 'merge.maxQueued', limit: settings.maxQueued, retryAfterSeconds: MERGE_RETRY_SECONDS },
      );
    // A released slot passes straight to the first waiter: running stays the same.
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  return {
    async run(work) {
      await acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
