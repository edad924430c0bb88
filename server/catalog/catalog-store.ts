// The recording catalog on disk: one directory per recording with its metadata and artifacts.
// Every file is written to a temp file and renamed into place, so a crash never leaves half a file.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FurnaceError } from '../../core/errors.ts';
import type { ArtifactName } from '../../core/names.ts';
import { isArtifactName } from '../../core/names.ts';
import { RECORDING_ID_PATTERN, type CatalogEntry, type RecordingStatus } from '../../core/recording.ts';
import { selectExpired, type RetentionPolicy } from './retention.ts';

const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);
const METADATA_FILE = 'recording.json';

/** The sidecar that first wrote a recording; only it may write to it again. */
export interface RecordingOwner {
  namespace: string;
  pod: string;
  podUid?: string;
}

interface StoredRecording {
  entry: CatalogEntry;
  owner: RecordingOwner;
}

export interface CatalogFilter {
  namespace?: string;
  pod?: string;
}

export interface CatalogDeps {
  dataDir: string;
  now: () => number;
  retention: RetentionPolicy;
}

export interface Catalog {
  putMetadata(status: RecordingStatus, owner: RecordingOwner): Promise<CatalogEntry>;
  putArtifact(
    id: string,
    name: string,
    body: Readable,
    owner: RecordingOwner,
    maxBytes: number,
  ): Promise<number>;
  get(id: string): CatalogEntry | undefined;
  /** Newest first. */
  list(filter: CatalogFilter): CatalogEntry[];
  artifactPath(id: string, name: ArtifactName): string;
  remove(id: string): Promise<boolean>;
  applyRetention(): Promise<string[]>;
  /** Resolves when no upload is in flight. */
  drain(): Promise<void>;
}

export function checkRecordingId(id: string): void {
  if (!RECORDING_ID.test(id)) {
    throw new FurnaceError('ERR_INVALID_PARAMETER', `recording id ${JSON.stringify(id)} is invalid`, {
      field: 'id',
      pattern: RECORDING_ID_PATTERN,
    });
  }
}

function checkArtifactName(name: string): asserts name is ArtifactName {
  if (!isArtifactName(name)) {
    throw new FurnaceError(
      'ERR_INVALID_ARTIFACT',
      `artifact name ${JSON.stringify(name)} is not one of the known artifacts`,
      {
        field: 'name',
        value: name,
      },
    );
  }
}

function sameOwner(a: RecordingOwner, b: RecordingOwner): boolean {
  if (a.namespace !== b.namespace || a.pod !== b.pod) return false;
  return a.podUid === undefined || b.podUid === undefined || a.podUid === b.podUid;
}

function toEntry(
  status: RecordingStatus,
  owner: RecordingOwner,
  artifacts: CatalogEntry['artifacts'],
): CatalogEntry {
  const entry: CatalogEntry = {
    id: status.id,
    namespace: owner.namespace,
    pod: owner.pod,
    state: status.state,
    params: status.params,
    startedAt: status.startedAt,
    artifacts,
  };
  const container = status.params.container ?? status.targets.find((t) => t.container)?.container;
  if (container !== undefined) entry.container = container;
  if (status.endedAt !== undefined) entry.endedAt = status.endedAt;
  if (status.error !== undefined) entry.error = status.error;
  if (status.samples !== undefined) entry.samples = status.samples;
  return entry;
}

function byStartDescending(a: CatalogEntry, b: CatalogEntry): number {
  return b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id);
}

function capBytes(maxBytes: number, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes > maxBytes) {
        callback(
          new FurnaceError(
            'ERR_PAYLOAD_TOO_LARGE',
            `artifact is larger than the limit of ${maxBytes} bytes (maxArtifactBytes)`,
            { field: 'maxArtifactBytes', limit: maxBytes },
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
}

async function loadStored(recordingsDir: string): Promise<Map<string, StoredRecording>> {
  const stored = new Map<string, StoredRecording>();
  for (const id of await readdir(recordingsDir)) {
    if (!RECORDING_ID.test(id)) continue;
    try {
      const text = await readFile(join(recordingsDir, id, METADATA_FILE), 'utf8');
      const record = JSON.parse(text) as StoredRecording;
      if (record.entry?.id === id) stored.set(id, record);
    } catch {
      // A directory without readable metadata is an upload that never finished its first write.
    }
  }
  return stored;
}

export async function openCatalog(deps: CatalogDeps): Promise<Catalog> {
  const recordingsDir = join(deps.dataDir, 'recordings');
  const tmpDir = join(deps.dataDir, 'tmp');
  await mkdir(recordingsDir, { recursive: true });
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  const stored = await loadStored(recordingsDir);
  const inFlight = new Set<Promise<unknown>>();

  const tempPath = (): string => join(tmpDir, `${randomBytes(8).toString('hex')}.tmp`);
  const dirOf = (id: string): string => join(recordingsDir, id);

  async function writeMetadata(record: StoredRecording): Promise<void> {
    const temp = tempPath();
    await mkdir(dirOf(record.entry.id), { recursive: true });
    await writeFile(temp, JSON.stringify(record, null, 2));
    await rename(temp, join(dirOf(record.entry.id), METADATA_FILE));
  }

  function owned(id: string, owner: RecordingOwner): StoredRecording | undefined {
    const record = stored.get(id);
    if (record && !sameOwner(record.owner, owner)) {
      throw new FurnaceError('ERR_FORBIDDEN', `recording ${id} belongs to another sidecar`, { id });
    }
    return record;
  }

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    const forget = (): void => {
      inFlight.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  async function storeArtifact(
    id: string,
    name: ArtifactName,
    body: Readable,
    owner: RecordingOwner,
    maxBytes: number,
  ): Promise<number> {
    const temp = tempPath();
    const counter = { bytes: 0 };
    try {
      await pipeline(body, capBytes(maxBytes, counter), createWriteStream(temp));
      const record = owned(id, owner);
      if (!record)
        throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} was deleted during the upload`, { id });
      await rename(temp, join(dirOf(id), name));
      record.entry.artifacts = [
        ...record.entry.artifacts.filter((a) => a.name !== name),
        { name, bytes: counter.bytes },
      ];
      await writeMetadata(record);
      return counter.bytes;
    } finally {
      await rm(temp, { force: true });
    }
  }

  const catalog: Catalog = {
    async putMetadata(status, owner) {
      checkRecordingId(status.id);
      const existing = owned(status.id, owner);
      const record: StoredRecording = {
        entry: toEntry(status, existing?.owner ?? owner, existing?.entry.artifacts ?? []),
        owner: existing?.owner ?? owner,
      };
      stored.set(status.id, record);
      await track(writeMetadata(record));
      return record.entry;
    },
    async putArtifact(id, name, body, owner, maxBytes) {
      checkRecordingId(id);
      checkArtifactName(name);
      if (!owned(id, owner)) {
        body.resume();
        throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} has no metadata yet; PUT it first`, { id });
      }
      return track(storeArtifact(id, name, body, owner, maxBytes));
    },
    get(id) {
      return stored.get(id)?.entry;
    },
    list(filter) {
      return [...stored.values()]
        .map((record) => record.entry)
        .filter((entry) => filter.namespace === undefined || entry.namespace === filter.namespace)
        .filter((entry) => filter.pod === undefined || entry.pod === filter.pod)
        .sort(byStartDescending);
    },
    artifactPath(id, name) {
      checkRecordingId(id);
      return join(dirOf(id), name);
    },
    async remove(id) {
      checkRecordingId(id);
      if (!stored.delete(id)) return false;
      await rm(dirOf(id), { recursive: true, force: true });
      return true;
    },
    async applyRetention() {
      const expired = selectExpired(
        [...stored.values()].map((r) => r.entry),
        deps.retention,
        deps.now(),
      );
      for (const id of expired) await catalog.remove(id);
      return expired;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
  return catalog;
}

/** Bytes of an artifact file as stored, or undefined when it is not there. */
export async function artifactSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}
