// The recording catalog on disk: one directory per recording with its metadata and artifacts.
// Every file is written to a temp file and renamed into place, so a crash never leaves half a file.
// What the sidecar says is turned into an entry by catalog-entry.ts; quotas and retention are
// retention.ts's; loading back is catalog-load.ts's.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { SinkDelivery } from '../../core/sinks/delivery.ts';
import { isArtifactName } from '../../core/contract/names.ts';
import {
  isFinished,
  RECORDING_ID_PATTERN,
  type CatalogEntry,
  type RecordingStatus,
} from '../../core/contract/recording.ts';
import { MAX_COMPACT_TREE_BYTES } from '../../core/render/flame-tree-compact.ts';
import { capInflated } from './inflated-cap.ts';
import { deriveStored, expireOverdue, type RecordingOwner, type StoredRecording } from './catalog-entry.ts';
import { byStartDescending, loadCatalog, METADATA_FILE, type LoadReport } from './catalog-load.ts';
import {
  artifactAllowance,
  makeRoomForRecording,
  selectExpired,
  type Allowance,
  type Reserved,
  type RetentionPolicy,
} from './retention.ts';

const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);

export type { RecordingOwner };

export interface CatalogFilter {
  namespace?: string;
  pod?: string;
}

export interface CatalogDeps {
  dataDir: string;
  now: () => number;
  retention: RetentionPolicy;
  /** Told once at open what the reload refused or dropped (not called when all was well). */
  onLoad?: (report: LoadReport) => void;
}

export interface Catalog {
  /** `startedBy`: who the server saw start the recording, if it did. */
  putMetadata(status: RecordingStatus, owner: RecordingOwner, startedBy?: string): Promise<CatalogEntry>;
  putArtifact(
    id: string,
    name: string,
    body: Readable,
    owner: RecordingOwner,
    maxBytes: number,
    /** The body's Content-Length, when the uploader sent one: reserved instead of the whole allowance. */
    declaredBytes?: number,
  ): Promise<number>;
  get(id: string): CatalogEntry | undefined;
  /** Newest first. */
  list(filter: CatalogFilter): CatalogEntry[];
  artifactPath(id: string, name: ArtifactName): string;
  remove(id: string): Promise<boolean>;
  applyRetention(): Promise<string[]>;
  /** Calls listener with the id of every recording removed or given a new artifact. */
  onChanged(listener: (id: string) => void): void;
  /** Resolves when no upload is in flight. */
  drain(): Promise<void>;
  /** Records the delivery to one sink on the entry (replacing that sink's); false when the entry is gone. */
  setDelivery(id: string, delivery: SinkDelivery): Promise<boolean>;
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

function tooLarge(limit: Allowance, bytes: number): FurnaceError {
  const quota = limit.field !== 'maxArtifactBytes';
  return new FurnaceError(
    quota ? 'ERR_QUOTA_EXCEEDED' : 'ERR_PAYLOAD_TOO_LARGE',
    `artifact of ${bytes} bytes is larger than the limit of ${limit.bytes} bytes (${limit.field})`,
    { field: limit.field, limit: limit.bytes },
  );
}

function capBytes(limit: Allowance, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit.bytes) {
        callback(tooLarge(limit, counter.bytes));
        return;
      }
      callback(null, chunk);
    },
  });
}

export async function openCatalog(deps: CatalogDeps): Promise<Catalog> {
  const recordingsDir = join(deps.dataDir, 'recordings');
  const tmpDir = join(deps.dataDir, 'tmp');
  await mkdir(recordingsDir, { recursive: true });
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  const { stored, report } = await loadCatalog(recordingsDir, deps.retention.maxCount, deps.now());
  if (report.dropped > 0 || Object.values(report.refused).some((n) => n > 0)) deps.onLoad?.(report);
  return new DiskCatalog(deps, { recordingsDir, tmpDir }, stored);
}

class DiskCatalog implements Catalog {
  readonly #deps: CatalogDeps;
  readonly #recordingsDir: string;
  readonly #tmpDir: string;
  readonly #stored: Map<string, StoredRecording>;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #listeners: ((id: string) => void)[] = [];
  /** Bytes reserved by uploads in flight, each under its namespace, taken when the upload starts. */
  readonly #reservations = new Set<{ namespace: string; bytes: number }>();

  constructor(
    deps: CatalogDeps,
    dirs: { recordingsDir: string; tmpDir: string },
    stored: Map<string, StoredRecording>,
  ) {
    this.#deps = deps;
    this.#recordingsDir = dirs.recordingsDir;
    this.#tmpDir = dirs.tmpDir;
    this.#stored = stored;
  }

  async putMetadata(
    status: RecordingStatus,
    owner: RecordingOwner,
    startedBy?: string,
  ): Promise<CatalogEntry> {
    checkRecordingId(status.id);
    const existing = this.#owned(status.id, owner);
    const now = this.#deps.now();
    const record = deriveStored(status, existing?.owner ?? owner, existing, now, startedBy);
    if (!existing)
      await this.#removeAll(
        makeRoomForRecording(this.#entries(), record.owner.namespace, this.#deps.retention, now),
      );
    this.#stored.set(status.id, record);
    await this.#track(this.#writeMetadata(record));
    return record.entry;
  }

  async putArtifact(
    id: string,
    name: string,
    body: Readable,
    owner: RecordingOwner,
    maxBytes: number,
    declaredBytes?: number,
  ): Promise<number> {
    checkRecordingId(id);
    checkArtifactName(name);
    const record = this.#owned(id, owner);
    try {
      if (!record)
        throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} has no metadata yet; PUT it first`, {
          id,
        });
      // Artifacts come after the final status, so an unfinished entry (which retention keeps) holds none.
      if (!isFinished(record.entry))
        throw new FurnaceError(
          'ERR_INVALID_PARAMETER',
          `recording ${id} is ${record.entry.state}: PUT its final status before its artifacts`,
          { field: 'state', value: record.entry.state, id },
        );
      const reserved = this.#reserved(record.entry.namespace);
      const upload = { recording: record.entry, name, reserved };
      const limit = artifactAllowance(this.#entries(), upload, this.#deps.retention, maxBytes);
      if (declaredBytes !== undefined && declaredBytes > limit.bytes) throw tooLarge(limit, declaredBytes);
      const reservation = { namespace: record.entry.namespace, bytes: declaredBytes ?? limit.bytes };
      this.#reservations.add(reservation);
      try {
        return await this.#track(this.#storeArtifact(id, name, body, owner, limit));
      } finally {
        this.#reservations.delete(reservation);
      }
    } catch (error) {
      body.resume();
      throw error;
    }
  }

  get(id: string): CatalogEntry | undefined {
    return this.#stored.get(id)?.entry;
  }

  list(filter: CatalogFilter): CatalogEntry[] {
    return [...this.#stored.values()]
      .map((record) => record.entry)
      .filter((entry) => filter.namespace === undefined || entry.namespace === filter.namespace)
      .filter((entry) => filter.pod === undefined || entry.pod === filter.pod)
      .sort(byStartDescending);
  }

  artifactPath(id: string, name: ArtifactName): string {
    checkRecordingId(id);
    return join(this.#dirOf(id), name);
  }

  async remove(id: string): Promise<boolean> {
    checkRecordingId(id);
    if (!this.#stored.delete(id)) return false;
    await rm(this.#dirOf(id), { recursive: true, force: true });
    this.#changed(id);
    return true;
  }

  onChanged(listener: (id: string) => void): void {
    this.#listeners.push(listener);
  }

  async setDelivery(id: string, delivery: SinkDelivery): Promise<boolean> {
    const record = this.#stored.get(id);
    if (!record) return false;
    const others = (record.entry.deliveries ?? []).filter((d) => d.sink !== delivery.sink);
    record.entry = { ...record.entry, deliveries: [...others, delivery] };
    await this.#track(this.#writeMetadata(record));
    return true;
  }

  #changed(id: string): void {
    for (const listener of this.#listeners) listener(id);
  }

  async applyRetention(): Promise<string[]> {
    const now = this.#deps.now();
    await this.#expireUnfinished(now);
    const expired = selectExpired(this.#entries(), this.#deps.retention, now);
    await this.#removeAll(expired);
    return expired;
  }

  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #tempPath(): string {
    return join(this.#tmpDir, `${randomBytes(8).toString('hex')}.tmp`);
  }

  #dirOf(id: string): string {
    return join(this.#recordingsDir, id);
  }

  #reserved(namespace: string): Reserved {
    const reserved = { total: 0, namespace: 0 };
    for (const reservation of this.#reservations) {
      reserved.total += reservation.bytes;
      if (reservation.namespace === namespace) reserved.namespace += reservation.bytes;
    }
    return reserved;
  }

  #entries(): CatalogEntry[] {
    return [...this.#stored.values()].map((record) => record.entry);
  }

  async #writeMetadata(record: StoredRecording): Promise<void> {
    const temp = this.#tempPath();
    await mkdir(this.#dirOf(record.entry.id), { recursive: true });
    await writeFile(temp, JSON.stringify(record, null, 2));
    await rename(temp, join(this.#dirOf(record.entry.id), METADATA_FILE));
  }

  #owned(id: string, owner: RecordingOwner): StoredRecording | undefined {
    const record = this.#stored.get(id);
    if (record && !sameOwner(record.owner, owner)) {
      throw new FurnaceError('ERR_FORBIDDEN', `recording ${id} belongs to another sidecar`, { id });
    }
    return record;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const forget = (): void => {
      this.#inFlight.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  async #storeArtifact(
    id: string,
    name: ArtifactName,
    body: Readable,
    owner: RecordingOwner,
    limit: { bytes: number; field: string },
  ): Promise<number> {
    const temp = this.#tempPath();
    const counter = { bytes: 0 };
    try {
      const checks =
        name === 'flame-tree.bin.gz'
          ? [capInflated(name, MAX_COMPACT_TREE_BYTES, 'MAX_COMPACT_TREE_BYTES')]
          : [];
      await pipeline(body, capBytes(limit, counter), ...checks, createWriteStream(temp));
      const record = this.#owned(id, owner);
      if (!record)
        throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} was deleted during the upload`, { id });
      await rename(temp, join(this.#dirOf(id), name));
      this.#changed(id);
      record.entry.artifacts = [
        ...record.entry.artifacts.filter((a) => a.name !== name),
        { name, bytes: counter.bytes },
      ];
      await this.#writeMetadata(record);
      return counter.bytes;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async #removeAll(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.remove(id);
  }

  /** Unfinished entries past their deadline become failed ones, which retention may then remove. */
  async #expireUnfinished(now: number): Promise<void> {
    for (const record of this.#stored.values()) {
      const failed = expireOverdue(record.entry, now);
      if (!failed) continue;
      record.entry = failed;
      await this.#writeMetadata(record);
    }
  }
}

/** Bytes of an artifact file as stored, or undefined when it is not there. */
export async function artifactSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}
