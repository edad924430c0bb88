// Which catalog entries retention removes: pure, given the entries and the clock.
import type { CatalogEntry } from '../../core/recording.ts';

export interface RetentionPolicy {
  /** Keep at most this many recordings. */
  maxCount: number;
  /** Remove recordings that ended (or started) longer ago than this. */
  maxAgeSeconds: number;
  /** Keep the artifacts of all recordings together under this many bytes. */
  maxBytes: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = {
  maxCount: 500,
  maxAgeSeconds: 30 * 24 * 3600,
  maxBytes: 10 * 1024 * 1024 * 1024,
};

export function entryBytes(entry: CatalogEntry): number {
  return entry.artifacts.reduce((sum, artifact) => sum + artifact.bytes, 0);
}

function entryTime(entry: CatalogEntry): number {
  const time = Date.parse(entry.endedAt ?? entry.startedAt);
  return Number.isNaN(time) ? 0 : time;
}

function isFinished(entry: CatalogEntry): boolean {
  return entry.state === 'done' || entry.state === 'failed';
}

/** Ids to remove, oldest first; recordings still running are never removed. */
export function selectExpired(
  entries: readonly CatalogEntry[],
  policy: RetentionPolicy,
  now: number,
): string[] {
  const newestFirst = [...entries].sort((a, b) => entryTime(b) - entryTime(a));
  const removed: string[] = [];
  let count = 0;
  let bytes = 0;
  for (const entry of newestFirst) {
    const size = entryBytes(entry);
    const tooOld = now - entryTime(entry) > policy.maxAgeSeconds * 1000;
    const overCount = count + 1 > policy.maxCount;
    const overBytes = bytes + size > policy.maxBytes;
    if (isFinished(entry) && (tooOld || overCount || overBytes)) {
      removed.push(entry.id);
      continue;
    }
    count += 1;
    bytes += size;
  }
  return removed.reverse();
}
