// Keeping continuous profiling's windows small, as the leader's chores: retention by age removes whole
// hour buckets whose every window ended more than `agent.continuous.retentionHours` ago (one directory,
// or one listing and batched deletes in the bucket); retention by size removes a namespace's oldest
// windows while it holds more than `agent.continuous.maxBytesPerNamespace`; compaction merges older
// windows into coarser ones (compact-windows.ts).
import type { Counter } from 'prom-client';
import { CONTINUOUS_LIMITS } from '../../core/continuous/continuous-plan.ts';
import type { Chore } from '../leader/chores.ts';
import { compactWindows } from './compact-windows.ts';
import {
  CONTINUOUS_STORAGE_DEFAULTS,
  compactionLevels,
  type ContinuousSettings,
} from './continuous-settings.ts';
import { hourExpired, hourStart } from './window-keys.ts';
import type { WindowStore } from './window-store.ts';

const HOUR_MS = 3_600_000;
/** How often the leader looks for expired hours, compacts and measures sizes. */
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

/**
 * Removes a namespace's oldest windows until it holds at most `maxBytes`; answers the windows removed
 * per namespace. Hours are walked newest first and summed, so only the hours past the limit are listed
 * to the window.
 */
export async function removeWindowsOverSize(
  windows: WindowStore,
  maxBytes: number,
): Promise<Map<string, number>> {
  const byNamespace = new Map<string, string[]>();
  for await (const { namespace, hour } of windows.hours())
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), hour]);
  const removed = new Map<string, number>();
  for (const [namespace, hours] of byNamespace) {
    const count = await trimNamespace(windows, namespace, hours, maxBytes);
    if (count > 0) removed.set(namespace, count);
  }
  return removed;
}

async function trimNamespace(
  windows: WindowStore,
  namespace: string,
  hours: readonly string[],
  maxBytes: number,
): Promise<number> {
  let total = 0;
  const over: string[] = [];
  for (const hour of [...hours].sort((a, b) => hourStart(b) - hourStart(a))) {
    const sized: { key: string; bytes: number }[] = [];
    for await (const window of windows.listSized(`${namespace}/${hour}/`)) sized.push(window);
    // Newest first within the hour too: what is kept is the newest that fits.
    sized.sort((a, b) => (a.key < b.key ? 1 : -1));
    for (const window of sized) {
      total += window.bytes;
      if (total > maxBytes) over.push(window.key);
    }
  }
  await windows.remove(over);
  return over.length;
}

export interface ContinuousStorageMode {
  windows: WindowStore;
  settings: ContinuousSettings;
  metrics: { removedBySize: Counter<'namespace'> };
}

/** Compaction first, so that retention by size counts what is kept after it; then size, then age. */
export async function keepWindows(mode: ContinuousStorageMode, now: number): Promise<void> {
  const { settings, windows } = mode;
  await compactWindows({ windows, levels: compactionLevels(settings), frequency: settings.frequency, now });
  await removeExpiredWindows(windows, now, settings.retentionHours);
  const maxBytes = settings.maxBytesPerNamespace ?? CONTINUOUS_STORAGE_DEFAULTS.maxBytesPerNamespace;
  for (const [namespace, count] of await removeWindowsOverSize(windows, maxBytes))
    mode.metrics.removedBySize.inc({ namespace }, count);
}

/** The chores of continuous profiling when it is on (agent mode), none otherwise. */
export function continuousChores(mode: ContinuousStorageMode | undefined, now: () => number): Chore[] {
  if (!mode) return [];
  return [
    {
      name: 'continuous-retention',
      everyMs: CONTINUOUS_RETENTION_EVERY_MS,
      run: () => keepWindows(mode, now()),
    },
  ];
}
