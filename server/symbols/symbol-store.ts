// Where a namespace's uploaded symbol files live: in the catalog's store, beside its artifacts under a
// prefix of their own (`<dataDir>/symbols/<namespace>/<build id>.debug` for one replica, objects
// `<prefix>symbols/<namespace>/<build id>.debug` in the bucket for N), so every replica serves the same
// files. A file is keyed by namespace and build id only: both are checked here before they make a path
// or a key, and nothing else the uploader sends ever does. A key is written once (the first upload of a
// build id wins; a delete frees it).
import type { Readable } from 'node:stream';
import { BUILD_ID } from '../../core/contract/symbols.ts';

/** A stored file: its build id, size and when it was stored (ms since the epoch). */
export interface StoredSymbol {
  buildId: string;
  bytes: number;
  storedAt: number;
}

export interface SymbolStore {
  readonly kind: 'filesystem' | 's3';
  /**
   * Stores the checked file at `path` (a temp file of the server's own) as `buildId` of `namespace`, stored
   * at `storedAt` (the server's clock; a bucket keeps its own); `stored` is false, and nothing is written,
   * when that namespace has the build id already.
   */
  put(
    namespace: string,
    buildId: string,
    path: string,
    storedAt: number,
  ): Promise<{ stored: boolean; file: StoredSymbol }>;
  /** What the store has of the namespace's build id; undefined when none. */
  get(namespace: string, buildId: string): Promise<StoredSymbol | undefined>;
  /** The namespace's file of a build id, streaming; undefined when it has none. */
  open(namespace: string, buildId: string): Promise<{ body: Readable; bytes: number } | undefined>;
  /** The namespace's files, in no particular order. */
  list(namespace: string): Promise<StoredSymbol[]>;
  /** Every stored file with its namespace (retention's walk). */
  all(): AsyncIterable<StoredSymbol & { namespace: string }>;
  /** Removes the namespace's file of a build id; false when there was none. */
  remove(namespace: string, buildId: string): Promise<boolean>;
  /** A directory for upload temp files on the same file system as the store (the filesystem store links). */
  readonly tmpDir: string;
}

/** A Kubernetes namespace name (RFC 1123 label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The relative key of a namespace's build id; throws for a name that is not a namespace or a build id. */
export function symbolKey(namespace: string, buildId: string): string {
  if (!NAMESPACE.test(namespace)) throw new Error(`namespace ${JSON.stringify(namespace)} is not a name`);
  if (!BUILD_ID.test(buildId)) throw new Error(`build id ${JSON.stringify(buildId)} is not lower-case hex`);
  return `${namespace}/${buildId}.debug`;
}

/** The namespace and build id of a relative key, or undefined when it is not one symbolKey makes. */
export function parseSymbolKey(key: string): { namespace: string; buildId: string } | undefined {
  const match = /^([^/]+)\/([^/]+)\.debug$/.exec(key);
  if (!match?.[1] || !match[2] || !NAMESPACE.test(match[1]) || !BUILD_ID.test(match[2])) return undefined;
  return { namespace: match[1], buildId: match[2] };
}

/** Whether `name` is a namespace name (directory and prefix listings skip anything else). */
export function isNamespaceName(name: string): boolean {
  return NAMESPACE.test(name);
}
