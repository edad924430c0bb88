// Where catalog entries live: files beside the artifacts (one replica, the default) or Kubernetes objects
// that every replica watches (several replicas sharing a bucket). The catalog keeps its index in memory
// either way; an entry store reads it back at start, writes through, and (when shared) tells the index
// what other replicas wrote.
import type { CatalogEntry } from '../../core/contract/recording.ts';
import type { StoredRecording } from './catalog-entry.ts';
import type { LoadReport } from './catalog-load.ts';

/** What the index is told of writes made elsewhere (a shared store's watch). */
export interface EntryIndexSink {
  /**
   * Takes the record; false when the index holds its id for a recording of another namespace (one id
   * names one recording: a second object claiming it would shadow the first, and is not taken), or when
   * it names an artifact object outside its own recording's directory (ArtifactStore.holds).
   */
  upsert(record: StoredRecording): boolean;
  /** Forgets recording `id`; only when it is in `namespace`, if given. */
  remove(id: string, namespace?: string): void;
  /** Every entry the index holds now (a shared store then keeps no keys of its own beside them). */
  entries?(): Iterable<CatalogEntry>;
  /** How many records the index holds. */
  count?(): number;
}

/**
 * A change to one entry, given the entry as stored now (undefined when there is none): the entry to
 * write, or undefined to write nothing. It may throw (a refused change); nothing is written then.
 */
export type EntryChange = (current: StoredRecording | undefined) => StoredRecording | undefined;

export interface EntryStore {
  /** `files` or `kubernetes`, for the log and the docs. */
  readonly kind: string;
  /**
   * Reads back every entry (at most maxCount, oldest dropped) into `index`, and for a shared store starts
   * telling it of later changes. Resolves once the index holds everything stored at that point.
   */
  start(index: EntryIndexSink, maxCount: number, now: number): Promise<LoadReport>;
  /**
   * The entry of recording `id` in `namespace` as stored now: `known` (the index's) for a store only this
   * process writes, else read again.
   */
  read(
    id: string,
    namespace: string,
    known: StoredRecording | undefined,
  ): Promise<StoredRecording | undefined>;
  /** Applies `change` to the entry as stored now, retrying on a concurrent write; resolves with what was written. */
  update(
    id: string,
    namespace: string,
    known: StoredRecording | undefined,
    change: EntryChange,
  ): Promise<StoredRecording | undefined>;
  /** Removes the entry; false when there was none. */
  remove(id: string, namespace: string): Promise<boolean>;
  /** Stops watching. */
  stop(): Promise<void>;
}
