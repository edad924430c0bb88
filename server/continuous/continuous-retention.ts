// Retention of continuous profiling's windows by age: whole hour buckets whose every window ended more
// than `agent.continuous.retentionHours` ago are removed, a bucket at a time (one directory, or one
// listing and batched deletes in the bucket). A leader's chore, like the catalog's retention.
import { CONTINUOUS_LIMITS } from '../../core/continuous/continuous-plan.ts';
import type { Chore } from '../leader/chores.ts';
import { hourExpired } from './window-keys.ts';
import type { WindowStore } from './window-store.ts';

const HOUR_MS = 3_600_000;
/** How often the leader looks for expired hours. */
export const CONTINUOUS_RETENTION_EVERY_MS = 10 * 60_000;

/** Removes the expired hour buckets; answers how many. */
export async function removeExpiredWindows(
  windows: WindowStore,
  now: number,
  retentionHours: number,
): Promise<number> {
  const expired: { namespace: string; hour: string }[] = [];
  const maxWindowMs = CONTINUOUS_LIMITS.windowSeconds.max * 1000;
  for await (const bucket of windows.hours())
    if (hourExpired(bucket.hour, now, retentionHours * HOUR_MS, maxWindowMs)) expired.push(bucket);
  for (const { namespace, hour } of expired) await windows.removeHour(namespace, hour);
  return expired.length;
}

export function continuousRetentionChore(
  mode: { windows: WindowStore; settings: { retentionHours: number } },
  now: () => number,
): Chore {
  return {
    name: 'continuous-retention',
    everyMs: CONTINUOUS_RETENTION_EVERY_MS,
    run: () => removeExpiredWindows(mode.windows, now(), mode.settings.retentionHours),
  };
}

/** The chores of continuous profiling when it is on (agent mode), none otherwise. */
export function continuousChores(
  mode: { windows: WindowStore; settings: { retentionHours: number } } | undefined,
  now: () => number,
): Chore[] {
  return mode ? [continuousRetentionChore(mode, now)] : [];
}
