// Reading the catalog back at start-up, bounded: a metadata file larger than any entry the server writes
// is refused unread, a file that does not hold an entry is skipped, and times from the future (written by
// an older server that believed the sidecar) are brought back to the time of loading.
import { constants } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isArtifactName } from '../../core/contract/names.ts';
import { RECORDING_ID_PATTERN, RECORDING_STATES, type CatalogEntry } from '../../core/contract/recording.ts';
import { sharedCopies } from '../kube/shared-copies.ts';
import { MAX_STARTED_BY, type StoredRecording } from './catalog-entry.ts';

/**
 * The largest `recording.json` read back. An entry holds its parameters (a few hundred bytes), at most
 * 16 KiB of error text and a few artifacts; anything much larger did not come from this server.
 */
export const MAX_METADATA_BYTES = 64 * 1024;

export const METADATA_FILE = 'recording.json';
const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);

export type LoadRefusal = 'too-large' | 'unreadable' | 'not-an-entry';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 253;
}

/** An entry's files still on their way: absent, or artifact names. */
function isArrivingList(value: unknown): boolean {
  return (
    value === undefined ||
    (Array.isArray(value) && value.every((n) => typeof n === 'string' && isArtifactName(n)))
  );
}

function isEntry(value: unknown, id: string): value is CatalogEntry {
  if (!isObject(value) || value.id !== id || !isName(value.namespace) || !isName(value.pod)) return false;
  if (!(RECORDING_STATES as readonly unknown[]).includes(value.state)) return false;
  if (typeof value.startedAt !== 'string' || Number.isNaN(Date.parse(value.startedAt))) return false;
  if (!isObject(value.params) || typeof value.params.durationSeconds !== 'number') return false;
  if (!Array.isArray(value.artifacts)) return false;
  const { startedBy } = value;
  if (startedBy !== undefined && !(typeof startedBy === 'string' && startedBy.length <= MAX_STARTED_BY))
    return false;
  if (!isArrivingList(value.arriving)) return false;
  return value.artifacts.every(
    (a: unknown) =>
      isObject(a) && typeof a.name === 'string' && isArtifactName(a.name) && Number.isSafeInteger(a.bytes),
  );
}

/**
 * One object for equal values read back: the parameters of most recordings are the same few presets and
 * an owner is one per pod, so 100,000 entries share a handful of each instead of holding 100,000 copies
 * (about 220 bytes of heap an entry; docs/benchmarks.md). Shared copies are frozen: an entry is replaced
 * whole when it changes.
 */
const sharedParams = sharedCopies(4096);
const sharedOwner = sharedCopies(4096);

function notAfter(time: string | undefined, now: number): string | undefined {
  if (time === undefined) return undefined;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) || parsed > now ? new Date(now).toISOString() : time;
}

/** A stored recording from the text of its metadata file, or the reason it is refused. */
export function parseStoredRecording(text: string, id: string, now: number): StoredRecording | LoadRefusal {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return 'unreadable';
  }
  if (!isObject(record) || !isEntry(record.entry, id) || !isObject(record.owner)) return 'not-an-entry';
  const { namespace, pod } = record.owner;
  if (namespace !== record.entry.namespace || !isName(pod)) return 'not-an-entry';
  const entry: CatalogEntry = {
    ...record.entry,
    params: sharedParams(record.entry.params),
    startedAt: notAfter(record.entry.startedAt, now) ?? '',
  };
  const endedAt = notAfter(record.entry.endedAt, now);
  if (endedAt !== undefined) entry.endedAt = endedAt;
  const receivedAt =
    typeof record.receivedAt === 'number' && record.receivedAt <= now
      ? record.receivedAt
      : Date.parse(entry.startedAt);
  const read: StoredRecording['owner'] = { namespace, pod };
  if (typeof record.owner.podUid === 'string') read.podUid = record.owner.podUid;
  const owner = sharedOwner(read);
  const objects = objectsOf(record.objects);
  return objects ? { entry, owner, receivedAt, objects } : { entry, owner, receivedAt };
}

/** The artifact keys of a stored record, when they are a map of artifact names to non-empty keys. */
export function objectsOf(value: unknown): StoredRecording['objects'] {
  if (!isObject(value)) return undefined;
  const objects: NonNullable<StoredRecording['objects']> = {};
  for (const [name, key] of Object.entries(value)) {
    if (!isArtifactName(name) || typeof key !== 'string' || key === '' || key.length > 1024) return undefined;
    objects[name] = key;
  }
  return objects;
}

/** Reads a metadata file of at most MAX_METADATA_BYTES; a larger one is refused without reading it. */
export async function readStoredRecording(
  path: string,
  id: string,
  now: number,
): Promise<StoredRecording | LoadRefusal> {
  let file;
  try {
    // Not a link, and never blocking on a FIFO someone left in the data directory.
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return 'unreadable';
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) return 'unreadable';
    if (info.size > MAX_METADATA_BYTES) return 'too-large';
    const buffer = Buffer.alloc(MAX_METADATA_BYTES + 1);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_METADATA_BYTES) return 'too-large';
    return parseStoredRecording(buffer.toString('utf8', 0, bytesRead), id, now);
  } finally {
    await file.close();
  }
}

/** Newest first by start time, then by id. */
export function byStartDescending(a: CatalogEntry, b: CatalogEntry): number {
  return Date.parse(b.startedAt) - Date.parse(a.startedAt) || a.id.localeCompare(b.id);
}

export interface LoadReport {
  /** Directories whose metadata could not be taken back, by why; they are removed from disk. */
  refused: Record<LoadRefusal, number>;
  /** Recordings past retention.maxCount, removed from disk oldest first. */
  dropped: number;
}

/**
 * Reads every stored recording back, each file bounded; past `maxCount` the oldest are dropped from disk
 * as they come, so loading never holds more than `maxCount` entries.
 */
export async function loadCatalog(
  recordingsDir: string,
  maxCount: number,
  now: number,
): Promise<{ stored: Map<string, StoredRecording>; report: LoadReport }> {
  const stored = new Map<string, StoredRecording>();
  const report: LoadReport = { refused: { 'too-large': 0, unreadable: 0, 'not-an-entry': 0 }, dropped: 0 };
  for (const id of await readdir(recordingsDir)) {
    if (!RECORDING_ID.test(id)) continue;
    const record = await readStoredRecording(join(recordingsDir, id, METADATA_FILE), id, now);
    if (typeof record === 'string') {
      // 'unreadable' is also an upload that never finished its first write. Nothing could ever point to
      // these files again: they are removed (and counted in the report the server logs), not left behind.
      report.refused[record] += 1;
      await rm(join(recordingsDir, id), { recursive: true, force: true });
      continue;
    }
    stored.set(id, record);
    if (stored.size <= maxCount) continue;
    const oldest = [...stored.values()]
      .map((r) => r.entry)
      .sort(byStartDescending)
      .at(-1);
    if (oldest === undefined) continue;
    stored.delete(oldest.id);
    await rm(join(recordingsDir, oldest.id), { recursive: true, force: true });
    report.dropped += 1;
  }
  return { stored, report };
}
