// Which recordings to delete: one rule for the sidecar's local disk and the server's catalog.

export interface RetentionPolicy {
  /** Keep at most this many recordings. */
  maxCount: number;
  /** Keep the recordings together under this many bytes. */
  maxBytes: number;
  /** Remove recordings that ended (or started) longer ago than this; none when unset. */
  maxAgeSeconds?: number;
}

export interface RetainedItem {
  id: string;
  bytes: number;
  /** When it ended (or started), ms since the epoch. */
  time: number;
  /** Still recording or processing: never removed, though it counts against the limits. */
  active: boolean;
}

/**
 * Ids to remove, oldest first: walking from the newest, a finished recording goes once it is too old or
 * no longer fits the count or the bytes. The newest recording always stays, however large: it is the
 * one the user is about to look at.
 */
export function selectEvictions(
  items: readonly RetainedItem[],
  policy: RetentionPolicy,
  now: number,
): string[] {
  const newestFirst = [...items].sort((a, b) => b.time - a.time);
  const removed: string[] = [];
  let count = 0;
  let bytes = 0;
  newestFirst.forEach((item, index) => {
    const tooOld = policy.maxAgeSeconds !== undefined && now - item.time > policy.maxAgeSeconds * 1000;
    const overCount = count + 1 > policy.maxCount;
    const overBytes = bytes + item.bytes > policy.maxBytes && index > 0;
    if (!item.active && (tooOld || overCount || overBytes)) {
      removed.push(item.id);
      return;
    }
    count += 1;
    bytes += item.bytes;
  });
  return removed.reverse();
}
