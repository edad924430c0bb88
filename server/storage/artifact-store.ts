// Where a recording's artifacts live: files on the catalog volume (`filesystem`, one replica) or objects
// in an S3-compatible bucket (`s3`, any number of replicas). An artifact is written whole under a key of
// the store's choosing before any catalog entry names that key, and never changes once written: a new
// upload of the same artifact is a new object, and the old one is removed after the entry names the new
// one (or collected as an orphan). Reads stream; nothing holds a whole artifact in memory.
import type { Readable } from 'node:stream';
import type { ArtifactName } from '../../core/contract/names.ts';

export type ArtifactStoreKind = 'filesystem' | 's3';

/** An object just written: its key, for the entry to name, and its size. */
export interface WrittenArtifact {
  key: string;
  bytes: number;
}

/** An object opened for reading: its bytes as a stream, and how many there are. */
export interface OpenedArtifact {
  body: Readable;
  bytes: number;
}

/** An object as a listing shows it, for the orphan collector. */
export interface ListedArtifact {
  key: string;
  /** When it was written, ms since the epoch. */
  modifiedAt: number;
}

export interface ArtifactStore {
  readonly kind: ArtifactStoreKind;
  /**
   * Streams `body` into a new object for artifact `name` of recording `id` and resolves once it is
   * whole and durable. When the body fails (a size cap, a cut connection) it rejects with that error
   * and leaves no object behind.
   */
  write(id: string, name: ArtifactName, body: Readable): Promise<WrittenArtifact>;
  /**
   * Whether `key` is one this store gives an artifact of recording `id`: in that recording's own
   * directory (`<prefix>recordings/<id>/` in a bucket, `<id>/` on the volume). An entry read back that
   * names any other key is not believed: it could serve or remove another recording's artifacts.
   */
  holds(key: string, id: string): boolean;
  /** The object at `key`, streaming; undefined when there is none. */
  open(key: string): Promise<OpenedArtifact | undefined>;
  /** Removes these objects; keys that are gone already are no error. */
  remove(keys: readonly string[]): Promise<void>;
  /** Every artifact object of the store (not catalog entries kept beside them). */
  list(): AsyncIterable<ListedArtifact>;
  /** Lets go of connections (the S3 client's sockets). */
  close(): void;
}

/** The key an entry written before keys were recorded means: the file of that name in its directory. */
export function legacyArtifactKey(id: string, name: ArtifactName): string {
  return `${id}/${name}`;
}
