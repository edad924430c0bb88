// Orphans: artifact objects that no catalog entry names. An upload writes its object before the entry
// names it, and a removal drops the entry before its objects, so a crash (or a replica killed) between
// the two leaves an object behind. They are collected once older than a grace that is far longer than an
// upload and the entry write after it take, so an upload in progress on another replica, or an entry
// the watch has not brought yet, is never taken for one.
import type { ListedArtifact } from '../storage/artifact-store.ts';

/** An hour: the longest upload (recorder.uploadTimeoutSeconds' default is 600 s) and a margin. */
export const DEFAULT_ORPHAN_GRACE_SECONDS = 3600;

/** The keys of the listing that `named` lacks and that were written before `writtenBefore` (ms). */
export async function selectOrphans(
  listing: AsyncIterable<ListedArtifact>,
  named: { has(key: string): boolean },
  writtenBefore: number,
): Promise<string[]> {
  const orphans: string[] = [];
  for await (const object of listing) {
    if (!named.has(object.key) && object.modifiedAt < writtenBefore) orphans.push(object.key);
  }
  return orphans;
}

/**
 * The recording a key names by its form: both stores put an artifact under `…<id>/<name>…` (the
 * `filesystem` store's `<id>/<name>`, the `s3` store's `<root><id>/<name>.<suffix>`).
 */
export function recordingOfKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return key.slice(key.lastIndexOf('/', slash - 1) + 1, Math.max(slash, 0));
}
