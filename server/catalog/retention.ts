// The catalog's retention and quotas. Each namespace is kept to its own quota by evicting its own oldest
// finished recordings (core's `selectEvictions`), so one namespace's uploads never evict another's. The
// whole catalog has a ceiling too, but reaching it refuses new recordings and artifacts instead of
// evicting anyone. Pure.
import { FurnaceError } from '../../core/contract/errors.ts';
import { isFinished, type CatalogEntry } from '../../core/contract/recording.ts';
import { selectEvictions } from '../../core/retention.ts';

export interface CatalogQuota {
  maxCount: number;
  maxBytes: number;
}

export interface RetentionPolicy {
  /** The whole catalog: recordings and bytes past these are refused (nothing is evicted for them). */
  maxCount: number;
  maxBytes: number;
  /** Recordings that ended longer ago than this are removed, in every namespace. */
  maxAgeSeconds: number;
  /** Each namespace: past these, its own oldest finished recordings are removed. */
  namespaceMaxCount: number;
  namespaceMaxBytes: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = {
  maxCount: 500,
  maxAgeSeconds: 30 * 24 * 3600,
  maxBytes: 8 * 1024 * 1024 * 1024,
  namespaceMaxCount: 100,
  namespaceMaxBytes: 2 * 1024 * 1024 * 1024,
};

export function entryBytes(entry: CatalogEntry): number {
  return entry.artifacts.reduce((sum, artifact) => sum + artifact.bytes, 0);
}

function entryTime(entry: CatalogEntry): number {
  const time = Date.parse(entry.endedAt ?? entry.startedAt);
  return Number.isNaN(time) ? 0 : time;
}

function byNamespace(entries: readonly CatalogEntry[]): Map<string, CatalogEntry[]> {
  const groups = new Map<string, CatalogEntry[]>();
  // Pushed in place: copying the group for every entry made a catalog of 50,000 take minutes.
  for (const entry of entries) {
    const group = groups.get(entry.namespace);
    if (group) group.push(entry);
    else groups.set(entry.namespace, [entry]);
  }
  return groups;
}

function evictionsIn(
  entries: readonly CatalogEntry[],
  quota: CatalogQuota,
  policy: RetentionPolicy,
  now: number,
) {
  const items = entries.map((entry) => ({
    id: entry.id,
    bytes: entryBytes(entry),
    time: entryTime(entry),
    active: !isFinished(entry),
  }));
  return selectEvictions(items, { ...quota, maxAgeSeconds: policy.maxAgeSeconds }, now);
}

/** Catalog ids to remove, oldest first within each namespace; each namespace is held to its own quota. */
export function selectExpired(
  entries: readonly CatalogEntry[],
  policy: RetentionPolicy,
  now: number,
): string[] {
  const quota = { maxCount: policy.namespaceMaxCount, maxBytes: policy.namespaceMaxBytes };
  return [...byNamespace(entries).values()].flatMap((group) => evictionsIn(group, quota, policy, now));
}

/**
 * What to evict so that a new recording fits in its namespace: that namespace's oldest finished ones,
 * never another namespace's. Throws ERR_QUOTA_EXCEEDED when it cannot fit (the namespace is full of
 * unfinished recordings, or the whole catalog is at its ceiling).
 */
export function makeRoomForRecording(
  entries: readonly CatalogEntry[],
  namespace: string,
  policy: RetentionPolicy,
  now: number,
): string[] {
  const own = entries.filter((entry) => entry.namespace === namespace);
  const quota = { maxCount: policy.namespaceMaxCount - 1, maxBytes: policy.namespaceMaxBytes };
  const evicted = evictionsIn(own, quota, policy, now);
  if (own.length - evicted.length >= policy.namespaceMaxCount) {
    throw new FurnaceError(
      'ERR_QUOTA_EXCEEDED',
      `namespace ${namespace} holds ${own.length} recordings, the most retention.namespaceMaxCount (${policy.namespaceMaxCount}) allows, none of them finished`,
      { field: 'retention.namespaceMaxCount', namespace, limit: policy.namespaceMaxCount },
    );
  }
  if (entries.length - evicted.length >= policy.maxCount) {
    throw new FurnaceError(
      'ERR_QUOTA_EXCEEDED',
      `the catalog holds ${entries.length} recordings, the most retention.maxCount (${policy.maxCount}) allows`,
      { field: 'retention.maxCount', limit: policy.maxCount },
    );
  }
  return evicted;
}

/** Bytes held by uploads in flight: in the whole catalog and in the uploading recording's namespace. */
export interface Reserved {
  total: number;
  namespace: number;
}

export interface Allowance {
  bytes: number;
  /** The setting that set `bytes`: maxArtifactBytes, retention.namespaceMaxBytes or retention.maxBytes. */
  field: string;
}

function quotaFull(held: number, limit: number, field: string, what: string): FurnaceError {
  return new FurnaceError(
    'ERR_QUOTA_EXCEEDED',
    `${what} holds ${held} bytes with the uploads in flight, the most ${field} (${limit}) allows`,
    { field, limit },
  );
}

/**
 * How many bytes one more artifact of `recording` may have: the least of the artifact limit, what is
 * left of the namespace's quota after the recording's other artifacts and the namespace's uploads in
 * flight (so the newest recording, which retention always keeps, is held to the quota too), and what is
 * left of the catalog's ceiling after everything stored and in flight. Throws ERR_QUOTA_EXCEEDED when
 * a quota has nothing left.
 */
export function artifactAllowance(
  entries: readonly CatalogEntry[],
  upload: { recording: CatalogEntry; name: string; reserved: Reserved },
  policy: RetentionPolicy,
  maxArtifactBytes: number,
): Allowance {
  const { recording, name, reserved } = upload;
  const others = recording.artifacts.filter((a) => a.name !== name).reduce((sum, a) => sum + a.bytes, 0);
  const namespaceHeld = others + reserved.namespace;
  if (namespaceHeld >= policy.namespaceMaxBytes)
    throw quotaFull(
      namespaceHeld,
      policy.namespaceMaxBytes,
      'retention.namespaceMaxBytes',
      `recording ${recording.id}`,
    );
  const catalogHeld = entries.reduce((sum, entry) => sum + entryBytes(entry), 0) + reserved.total;
  if (catalogHeld >= policy.maxBytes)
    throw quotaFull(catalogHeld, policy.maxBytes, 'retention.maxBytes', 'the catalog');
  const limits: Allowance[] = [
    { bytes: maxArtifactBytes, field: 'maxArtifactBytes' },
    { bytes: policy.namespaceMaxBytes - namespaceHeld, field: 'retention.namespaceMaxBytes' },
    { bytes: policy.maxBytes - catalogHeld, field: 'retention.maxBytes' },
  ];
  return limits.reduce((least, limit) => (limit.bytes < least.bytes ? limit : least));
}
