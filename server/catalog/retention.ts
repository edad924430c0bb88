// The catalog's retention: its defaults, and its entries as core's retention rule sees them.
import { isFinished, type CatalogEntry } from '../../core/recording.ts';
import { selectEvictions, type RetentionPolicy as CorePolicy } from '../../core/retention.ts';

export type RetentionPolicy = Required<CorePolicy>;

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

/** Catalog ids to remove under the policy, oldest first (the rule is core's `selectEvictions`). */
export function selectExpired(
  entries: readonly CatalogEntry[],
  policy: RetentionPolicy,
  now: number,
): string[] {
  const items = entries.map((entry) => ({
    id: entry.id,
    bytes: entryBytes(entry),
    time: entryTime(entry),
    active: !isFinished(entry),
  }));
  return selectEvictions(items, policy, now);
}
