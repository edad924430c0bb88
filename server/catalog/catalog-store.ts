// The recording catalog: an index in memory over an entry store (files beside the artifacts, or
// Kubernetes objects shared by replicas) and an artifact store (files, or objects in a bucket). An
// artifact is written whole before any entry names it; an entry is removed before its artifacts, so an
// entry never names a missing artifact and what a crash leaves behind is an orphan object that
// collectOrphans removes. What the sidecar says is turned into an entry by catalog-entry.ts; quotas and
// retention are retention.ts's; loading back is the entry store's.
import type { Readable } from 'node:stream';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { SinkDelivery } from '../../core/sinks/delivery.ts';
import { isFinished, type CatalogEntry, type RecordingStatus } from '../../core/contract/recording.ts';
import { legacyArtifactKey, type ArtifactStore, type OpenedArtifact } from '../storage/artifact-store.ts';
import { openFilesystemArtifacts } from '../storage/filesystem-artifacts.ts';
import { deriveStored, expireOverdue, type RecordingOwner, type StoredRecording } from './catalog-entry.ts';
import type { LoadReport } from './catalog-load.ts';
import { EntryIndex } from './entry-index.ts';
import type { EntryChange, EntryIndexSink, EntryStore } from './entry-store.ts';
import { createFileEntries } from './file-entries.ts';
import {
  artifactKey,
  checkArtifactName,
  checkRecordingId,
  keysOf,
  notYet,
  owned,
  unfinished,
  withArtifact,
} from './catalog-records.ts';
import { DEFAULT_ORPHAN_GRACE_SECONDS, selectOrphans } from './orphans.ts';
import { namedKeys } from './named-keys.ts';
import {
  artifactAllowance,
  makeRoomForRecording,
  selectExpired,
  type Allowance,
  type Reserved,
  type RetentionPolicy,
} from './retention.ts';
import { storeChecked, tooLarge } from './upload-stream.ts';
import type { ArtifactUpload, Catalog, CatalogFilter } from './catalog-contract.ts';

export type { RecordingOwner };
export type { ArtifactUpload, Catalog, CatalogFilter } from './catalog-contract.ts';
export { checkRecordingId };

export interface CatalogDeps {
  dataDir: string;
  now: () => number;
  retention: RetentionPolicy;
  /** Told once at open what the reload refused or dropped (not called when all was well). */
  onLoad?: (report: LoadReport) => void;
  /** Where artifacts go: the `filesystem` store under dataDir unless given. */
  artifacts?: ArtifactStore;
  /** Where entries go: files under dataDir unless given. */
  entries?: EntryStore;
}

export async function openCatalog(deps: CatalogDeps): Promise<Catalog> {
  const artifacts = deps.artifacts ?? (await openFilesystemArtifacts(deps.dataDir));
  const entries = deps.entries ?? createFileEntries(deps.dataDir);
  const catalog = new StoredCatalog(deps, artifacts, entries);
  const report = await entries.start(catalog.indexSink(), deps.retention.maxCount, deps.now());
  if (report.dropped > 0 || Object.values(report.refused).some((n) => n > 0)) deps.onLoad?.(report);
  return catalog;
}

class StoredCatalog implements Catalog {
  readonly #deps: CatalogDeps;
  readonly #artifacts: ArtifactStore;
  readonly #entryStore: EntryStore;
  readonly #stored = new EntryIndex();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** The last change queued for each entry (see #update). */
  readonly #updating = new Map<string, Promise<StoredRecording | undefined>>();
  readonly #listeners: ((id: string) => void)[] = [];
  /** Bytes reserved by uploads in flight, each under its namespace, taken when the upload starts. */
  readonly #reservations = new Set<{ namespace: string; bytes: number }>();

  constructor(deps: CatalogDeps, artifacts: ArtifactStore, entries: EntryStore) {
    this.#deps = deps;
    this.#artifacts = artifacts;
    this.#entryStore = entries;
  }

  /** What the entry store tells the index: at start, and for a shared store what other replicas wrote. */
  indexSink(): EntryIndexSink {
    return {
      entries: () => this.#stored.entries(),
      count: () => this.#stored.size,
      upsert: (record) => {
        const before = this.#stored.get(record.entry.id);
        if (before && before.entry.namespace !== record.entry.namespace) return false;
        // A forged entry naming another recording's objects would serve (and, removed, delete) them.
        if (!keysOf(record).every((key) => this.#artifacts.holds(key, record.entry.id))) return false;
        this.#stored.set(record.entry.id, record);
        if (before && keysOf(before).join('\n') !== keysOf(record).join('\n')) this.#changed(record.entry.id);
        return true;
      },
      remove: (id, namespace) => {
        const before = this.#stored.get(id);
        if (!before || (namespace !== undefined && before.entry.namespace !== namespace)) return;
        this.#stored.delete(id);
        this.#changed(id);
      },
    };
  }

  async putMetadata(
    status: RecordingStatus,
    owner: RecordingOwner,
    startedBy?: string,
  ): Promise<CatalogEntry> {
    checkRecordingId(status.id);
    const now = this.#deps.now();
    const known = owned(this.#stored.get(status.id), owner);
    const existing = owned(await this.#entryStore.read(status.id, owner.namespace, known), owner);
    if (!existing)
      await this.#removeAll(
        makeRoomForRecording(this.#entries(), owner.namespace, this.#deps.retention, now),
      );
    const record = await this.#update(status.id, owner.namespace, (current) => {
      const previous = owned(current, owner);
      return deriveStored(status, previous?.owner ?? owner, previous, { now, startedBy });
    });
    if (!record) throw notYet(status.id);
    return record.entry;
  }

  putArtifact(id: string, name: string, body: Readable, upload: ArtifactUpload): Promise<number> {
    // Tracked from the start, so drain() waits for an upload that is still looking up its entry.
    return this.#track(this.#putArtifact(id, name, body, upload));
  }

  async #putArtifact(id: string, name: string, body: Readable, sent: ArtifactUpload): Promise<number> {
    const { owner, maxBytes, declaredBytes } = sent;
    try {
      checkRecordingId(id);
      checkArtifactName(name);
      const known = owned(this.#stored.get(id), owner);
      const record = owned(await this.#entryStore.read(id, owner.namespace, known), owner);
      if (!record) throw notYet(id);
      if (!isFinished(record.entry)) throw unfinished(record.entry);
      const reserved = this.#reserved(record.entry.namespace);
      const upload = { recording: record.entry, name, reserved };
      const limit = artifactAllowance(this.#entries(), upload, this.#deps.retention, maxBytes);
      if (declaredBytes !== undefined && declaredBytes > limit.bytes) throw tooLarge(limit, declaredBytes);
      const reservation = { namespace: record.entry.namespace, bytes: declaredBytes ?? limit.bytes };
      this.#reservations.add(reservation);
      try {
        return await this.#storeArtifact(id, name, body, { owner, limit });
      } finally {
        this.#reservations.delete(reservation);
      }
    } catch (error) {
      body.resume();
      throw error;
    }
  }

  get(id: string): CatalogEntry | undefined {
    return this.#stored.entry(id);
  }

  list(filter: CatalogFilter): CatalogEntry[] {
    return [...this.entries(filter)];
  }

  *entries(filter: CatalogFilter): Iterable<CatalogEntry> {
    for (const entry of this.#stored.newestFirst()) {
      if (filter.namespace !== undefined && entry.namespace !== filter.namespace) continue;
      if (filter.pod !== undefined && entry.pod !== filter.pod) continue;
      yield entry;
    }
  }

  async openArtifact(id: string, name: ArtifactName): Promise<OpenedArtifact | undefined> {
    checkRecordingId(id);
    const record = this.#stored.get(id);
    if (!record?.entry.artifacts.some((a) => a.name === name)) return undefined;
    return this.#artifacts.open(artifactKey(record, name));
  }

  async remove(id: string): Promise<boolean> {
    checkRecordingId(id);
    const record = this.#stored.get(id);
    if (!record) return false;
    this.#stored.delete(id);
    // The entry first: no entry may name an object that is gone. Objects left by a crash are orphans.
    await this.#entryStore.remove(id, record.entry.namespace);
    await this.#artifacts.remove(keysOf(record));
    this.#changed(id);
    return true;
  }

  onChanged(listener: (id: string) => void): void {
    this.#listeners.push(listener);
  }

  async setDelivery(id: string, delivery: SinkDelivery): Promise<boolean> {
    const namespace = this.#stored.entry(id)?.namespace;
    if (namespace === undefined) return false;
    const written = await this.#track(
      this.#update(id, namespace, (current) => {
        if (!current) return undefined;
        const others = (current.entry.deliveries ?? []).filter((d) => d.sink !== delivery.sink);
        return { ...current, entry: { ...current.entry, deliveries: [...others, delivery] } };
      }),
    );
    return written !== undefined;
  }

  async setBaselineOf(id: string, workload: string | undefined): Promise<boolean> {
    const namespace = this.#stored.entry(id)?.namespace;
    if (namespace === undefined) return false;
    const written = await this.#track(
      this.#update(id, namespace, (current) => {
        if (!current) return undefined;
        const { baselineOf: _, ...entry } = current.entry;
        return { ...current, entry: workload === undefined ? entry : { ...entry, baselineOf: workload } };
      }),
    );
    return written !== undefined;
  }

  async applyRetention(): Promise<string[]> {
    const now = this.#deps.now();
    await this.#expireUnfinished(now);
    const expired = selectExpired(this.#entries(), this.#deps.retention, now);
    await this.#removeAll(expired);
    return expired;
  }

  async collectOrphans(graceSeconds = DEFAULT_ORPHAN_GRACE_SECONDS): Promise<string[]> {
    const named = namedKeys(this.#stored);
    const orphans = await selectOrphans(
      this.#artifacts.list(),
      named,
      this.#deps.now() - graceSeconds * 1000,
    );
    await this.#artifacts.remove(orphans);
    return orphans;
  }

  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async close(): Promise<void> {
    await this.#entryStore.stop();
    this.#artifacts.close();
  }

  #changed(id: string): void {
    for (const listener of this.#listeners) listener(id);
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
    return [...this.#stored.entries()];
  }

  /**
   * Writes through the entry store and keeps the index in step with what was written. Changes to one
   * entry run one after another, so each sees what the one before wrote (two sinks' deliveries settled
   * together both stay on the entry).
   */
  #update(id: string, namespace: string, change: EntryChange): Promise<StoredRecording | undefined> {
    const before = this.#updating.get(id) ?? Promise.resolve(undefined);
    const run = before
      .catch(() => undefined)
      .then(async () => {
        const written = await this.#entryStore.update(id, namespace, this.#stored.get(id), change);
        if (written) this.#stored.set(id, written);
        return written;
      });
    this.#updating.set(id, run);
    const forget = (): void => {
      if (this.#updating.get(id) === run) this.#updating.delete(id);
    };
    run.then(forget, forget);
    return run;
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
    held: { owner: RecordingOwner; limit: Allowance },
  ): Promise<number> {
    const { owner, limit } = held;
    const written = await storeChecked(name, body, limit, (checked) =>
      this.#artifacts.write(id, name, checked),
    );
    let replaced: string | undefined;
    try {
      const record = await this.#update(id, owner.namespace, (current) => {
        if (!owned(current, owner))
          throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} was deleted during the upload`, { id });
        if (current?.entry.artifacts.some((a) => a.name === name)) replaced = artifactKey(current, name);
        return current && withArtifact(current, name, written.key, written.bytes);
      });
      if (!record) throw notYet(id);
    } catch (error) {
      // No entry names the new object: it goes now rather than as an orphan later.
      if (written.key !== legacyArtifactKey(id, name)) await this.#artifacts.remove([written.key]);
      else if (!this.#stored.has(id)) await this.#artifacts.remove([written.key]);
      throw error;
    }
    if (replaced !== undefined && replaced !== written.key) await this.#artifacts.remove([replaced]);
    this.#changed(id);
    return written.bytes;
  }

  async #removeAll(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.remove(id);
  }

  /** Unfinished entries past their deadline become failed ones, which retention may then remove. */
  async #expireUnfinished(now: number): Promise<void> {
    for (const entry of [...this.#stored.entries()]) {
      if (!expireOverdue(entry, now)) continue;
      await this.#update(entry.id, entry.namespace, (current) => {
        const failed = current && expireOverdue(current.entry, now);
        return failed && current ? { ...current, entry: failed } : undefined;
      });
    }
  }
}
