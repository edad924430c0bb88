// What the recording catalog offers its users (routes, sinks, the leader's chores), whichever stores hold
// it; catalog-store.ts is the catalog over an entry store and an artifact store.
import type { Readable } from 'node:stream';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { CatalogEntry, RecordingStatus } from '../../core/contract/recording.ts';
import type { SinkDelivery } from '../../core/sinks/delivery.ts';
import type { OpenedArtifact } from '../storage/artifact-store.ts';
import type { RecordingOwner } from './catalog-entry.ts';

export interface CatalogFilter {
  namespace?: string;
  pod?: string;
}

/** Who uploads an artifact and how large it may be. */
export interface ArtifactUpload {
  owner: RecordingOwner;
  maxBytes: number;
  /** The body's Content-Length, when the uploader sent one: reserved instead of the whole allowance. */
  declaredBytes?: number | undefined;
}

export interface Catalog {
  /** `startedBy`: who the server saw start the recording, if it did. */
  putMetadata(status: RecordingStatus, owner: RecordingOwner, startedBy?: string): Promise<CatalogEntry>;
  putArtifact(id: string, name: string, body: Readable, upload: ArtifactUpload): Promise<number>;
  get(id: string): CatalogEntry | undefined;
  /** Newest first. */
  list(filter: CatalogFilter): CatalogEntry[];
  /** Newest first, one at a time: a caller that needs a page reads only as far as the page. */
  entries(filter: CatalogFilter): Iterable<CatalogEntry>;
  /** The artifact's bytes, streaming from the store; undefined when the entry does not list it or it is gone. */
  openArtifact(id: string, name: ArtifactName): Promise<OpenedArtifact | undefined>;
  remove(id: string): Promise<boolean>;
  /** Fails overdue unfinished entries and removes expired ones; returns the ids removed. (A leader's chore.) */
  applyRetention(): Promise<string[]>;
  /** Removes artifact objects that no entry names and that are older than the grace. (A leader's chore.) */
  collectOrphans(graceSeconds?: number): Promise<string[]>;
  /** Calls listener with the id of every recording removed or given a new artifact. */
  onChanged(listener: (id: string) => void): void;
  /** Resolves when no upload is in flight. */
  drain(): Promise<void>;
  /** Records the delivery to one sink on the entry (replacing that sink's); false when the entry is gone. */
  setDelivery(id: string, delivery: SinkDelivery): Promise<boolean>;
  /** Pins the entry as the baseline of a workload (`<kind>/<name>`), or unpins it (undefined); false when gone. */
  setBaselineOf(id: string, workload: string | undefined): Promise<boolean>;
  /** Stops watching a shared entry store and lets go of the artifact store's connections. */
  close(): Promise<void>;
}
