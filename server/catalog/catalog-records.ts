// The catalog's checks and edits of one stored record: ids and artifact names, who may write, which
// store keys a record names, and a record with one more artifact. Pure.
import { FurnaceError } from '../../core/contract/errors.ts';
import { isArtifactName, type ArtifactName } from '../../core/contract/names.ts';
import { RECORDING_ID_PATTERN, type CatalogEntry } from '../../core/contract/recording.ts';
import { legacyArtifactKey } from '../storage/artifact-store.ts';
import type { RecordingOwner, StoredRecording } from './catalog-entry.ts';

const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);

export function checkRecordingId(id: string): void {
  if (!RECORDING_ID.test(id)) {
    throw new FurnaceError('ERR_INVALID_PARAMETER', `recording id ${JSON.stringify(id)} is invalid`, {
      field: 'id',
      pattern: RECORDING_ID_PATTERN,
    });
  }
}

export function checkArtifactName(name: string): asserts name is ArtifactName {
  if (!isArtifactName(name)) {
    throw new FurnaceError(
      'ERR_INVALID_ARTIFACT',
      `artifact name ${JSON.stringify(name)} is not one of the known artifacts`,
      { field: 'name', value: name },
    );
  }
}

export function sameOwner(a: RecordingOwner, b: RecordingOwner): boolean {
  if (a.namespace !== b.namespace || a.pod !== b.pod) return false;
  return a.podUid === undefined || b.podUid === undefined || a.podUid === b.podUid;
}

/** The record, when `owner` may write to it; throws ERR_FORBIDDEN when another sidecar wrote it first. */
export function owned(
  record: StoredRecording | undefined,
  owner: RecordingOwner,
): StoredRecording | undefined {
  if (record && !sameOwner(record.owner, owner)) {
    throw new FurnaceError('ERR_FORBIDDEN', `recording ${record.entry.id} belongs to another sidecar`, {
      id: record.entry.id,
    });
  }
  return record;
}

/** The store's key of an artifact the record lists. */
export function artifactKey(record: StoredRecording, name: ArtifactName): string {
  return record.objects?.[name] ?? legacyArtifactKey(record.entry.id, name);
}

/** Every key the record names. */
export function keysOf(record: StoredRecording): string[] {
  return record.entry.artifacts.map((a) => artifactKey(record, a.name));
}

/** The record with one more artifact (replacing one of the same name), stored under `key`. */
export function withArtifact(
  record: StoredRecording,
  name: ArtifactName,
  key: string,
  bytes: number,
): StoredRecording {
  const artifacts = [...record.entry.artifacts.filter((a) => a.name !== name), { name, bytes }];
  const objects = { ...record.objects };
  if (key === legacyArtifactKey(record.entry.id, name)) delete objects[name];
  else objects[name] = key;
  const entry = { ...record.entry, artifacts };
  const arriving = entry.arriving?.filter((a) => a !== name);
  if (arriving === undefined || arriving.length === 0) delete entry.arriving;
  else entry.arriving = arriving;
  const next: StoredRecording = { ...record, entry };
  if (Object.keys(objects).length > 0) next.objects = objects;
  else delete next.objects;
  return next;
}

export function notYet(id: string): FurnaceError {
  return new FurnaceError('ERR_NOT_FOUND', `recording ${id} has no metadata yet; PUT it first`, { id });
}

export function unfinished(entry: CatalogEntry): FurnaceError {
  // Artifacts come after the final status, so an unfinished entry (which retention keeps) holds none.
  return new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `recording ${entry.id} is ${entry.state}: PUT its final status before its artifacts`,
    { field: 'state', value: entry.state, id: entry.id },
  );
}
