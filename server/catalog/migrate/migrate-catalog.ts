// Moves a filesystem catalog (one replica's `<dataDir>/recordings/<id>/`) into a bucket and its entry
// store: every artifact is copied first, then the entry that names the new keys, so a server on the
// bucket never lists an artifact it cannot serve. A recording whose entry is already in the target with
// every artifact is skipped, which makes a re-run after a kill finish what the first run did not (the
// copies of a recording cut short are objects no entry names: the orphan collector removes them). The
// source is only read, never changed.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORDING_ID_PATTERN } from '../../../core/contract/recording.ts';
import { legacyArtifactKey, type ArtifactStore } from '../../storage/artifact-store.ts';
import { catalogDirs } from '../../storage/filesystem-artifacts.ts';
import type { StoredRecording } from '../catalog-entry.ts';
import { METADATA_FILE, readStoredRecording } from '../catalog-load.ts';
import type { EntryStore } from '../entry-store.ts';

const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);

export interface MigrationSummary {
  recordings: number;
  copied: number;
  skipped: number;
  artifacts: number;
  bytes: number;
}

export interface MigrationDeps {
  records: readonly StoredRecording[];
  from: ArtifactStore;
  to: ArtifactStore;
  entries: EntryStore;
  /** One line of progress. */
  say: (line: string) => void;
}

/** Every entry of the filesystem catalog under dataDir, oldest first, read without changing anything. */
export async function readFilesystemCatalog(
  dataDir: string,
  now: number,
): Promise<{ records: StoredRecording[]; unreadable: string[] }> {
  const { recordingsDir } = catalogDirs(dataDir);
  const records: StoredRecording[] = [];
  const unreadable: string[] = [];
  for (const id of (await readdir(recordingsDir)).sort()) {
    if (!RECORDING_ID.test(id)) continue;
    const record = await readStoredRecording(join(recordingsDir, id, METADATA_FILE), id, now);
    if (typeof record === 'string') unreadable.push(`${id} (${record})`);
    else records.push(record);
  }
  records.sort((a, b) => a.receivedAt - b.receivedAt || a.entry.id.localeCompare(b.entry.id));
  return { records, unreadable };
}

function complete(target: StoredRecording | undefined, source: StoredRecording): boolean {
  if (target === undefined) return false;
  const have = new Set(target.entry.artifacts.map((a) => a.name));
  return source.entry.artifacts.every((a) => have.has(a.name));
}

/** Copies one recording's artifacts; resolves with the target's keys and the bytes copied. */
async function copyArtifacts(
  record: StoredRecording,
  deps: MigrationDeps,
): Promise<{ objects: NonNullable<StoredRecording['objects']>; bytes: number }> {
  const { id } = record.entry;
  const objects: NonNullable<StoredRecording['objects']> = {};
  let bytes = 0;
  for (const artifact of record.entry.artifacts) {
    const key = record.objects?.[artifact.name] ?? legacyArtifactKey(id, artifact.name);
    const opened = await deps.from.open(key);
    if (opened === undefined)
      throw new Error(`recording ${id}: artifact ${artifact.name} has no file (${key})`);
    const written = await deps.to.write(id, artifact.name, opened.body);
    if (written.bytes !== artifact.bytes) {
      await deps.to.remove([written.key]);
      throw new Error(
        `recording ${id}: artifact ${artifact.name} copied ${written.bytes} bytes, the entry says ${artifact.bytes}`,
      );
    }
    objects[artifact.name] = written.key;
    bytes += written.bytes;
  }
  return { objects, bytes };
}

/** Copies every recording not yet in the target (see the header); throws on the first that fails. */
export async function migrateCatalog(deps: MigrationDeps): Promise<MigrationSummary> {
  const { records, entries, say } = deps;
  const summary: MigrationSummary = {
    recordings: records.length,
    copied: 0,
    skipped: 0,
    artifacts: 0,
    bytes: 0,
  };
  for (const [index, record] of records.entries()) {
    const { id } = record.entry;
    const { namespace } = record.owner;
    const position = `[${index + 1}/${records.length}] ${namespace}/${id}`;
    if (complete(await entries.read(id, namespace, undefined), record)) {
      summary.skipped += 1;
      say(`${position}: already in the bucket, skipped`);
      continue;
    }
    const { objects, bytes } = await copyArtifacts(record, deps);
    await entries.update(id, namespace, undefined, () => ({ ...record, objects }));
    summary.copied += 1;
    summary.artifacts += record.entry.artifacts.length;
    summary.bytes += bytes;
    say(`${position}: ${record.entry.artifacts.length} artifacts, ${bytes} bytes copied`);
  }
  return summary;
}
