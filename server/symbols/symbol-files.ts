// A namespace's symbol files over the store: stored once per build id (a second upload of a build id keeps
// the first file and says so), within the namespace's total (symbols.namespaceMaxBytes, a 507 naming it),
// listed with when retention removes each, and removed by retention symbols.maxAgeSeconds after they
// were stored (a leader's chore).
import type { Readable } from 'node:stream';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { SymbolFile, SymbolList, SymbolUpload } from '../../core/contract/symbols.ts';
import type { SymbolSettings } from '../config/config-symbols.ts';
import type { StoredSymbol, SymbolStore } from './symbol-store.ts';
import { receiveSymbolFile } from './symbol-upload.ts';

export interface SymbolFiles {
  readonly settings: SymbolSettings;
  upload(namespace: string, body: Readable, declaredBytes: number | undefined): Promise<SymbolUpload>;
  list(namespace: string): Promise<SymbolList>;
  remove(namespace: string, buildId: string): Promise<boolean>;
  /** The namespace's file of a build id for its recorders; undefined when it has none (or it expired). */
  open(namespace: string, buildId: string): Promise<{ body: Readable; bytes: number } | undefined>;
  /** Removes every file stored longer ago than symbols.maxAgeSeconds; resolves with how many went. */
  removeExpired(): Promise<number>;
}

export const NAMESPACE_MAX_BYTES_SETTING = 'symbols.namespaceMaxBytes';

/**
 * Uploads received at once by this server: each may hold up to symbols.maxBytes in its temp file before it
 * is checked, so the disk they can take together is bounded too.
 */
export const MAX_UPLOADS_AT_ONCE = 4;

function describedWith(maxAgeMs: number): (file: StoredSymbol) => SymbolFile {
  return (file) => ({
    buildId: file.buildId,
    bytes: file.bytes,
    uploadedAt: new Date(file.storedAt).toISOString(),
    expiresAt: new Date(file.storedAt + maxAgeMs).toISOString(),
  });
}

function checkRoom(namespace: string, files: readonly StoredSymbol[], bytes: number, limit: number): void {
  const used = files.reduce((sum, file) => sum + file.bytes, 0);
  if (used + bytes > limit)
    throw new FurnaceError(
      'ERR_QUOTA_EXCEEDED',
      `namespace ${namespace} holds ${used} bytes of symbol files; ${bytes} more would pass its limit of ${limit} bytes (${NAMESPACE_MAX_BYTES_SETTING}): delete files it no longer needs`,
      { field: NAMESPACE_MAX_BYTES_SETTING, limit },
    );
}

/** Receives, checks and stores one upload: the body of SymbolFiles.upload once it has its turn. */
async function storeUpload(
  deps: { store: SymbolStore; settings: SymbolSettings; now: () => number },
  expired: (file: StoredSymbol) => boolean,
  upload: { namespace: string; body: Readable; declaredBytes: number | undefined },
): Promise<{ stored: boolean; file: StoredSymbol }> {
  const { store, settings } = deps;
  const { namespace } = upload;
  const received = await receiveSymbolFile(upload.body, {
    tmpDir: store.tmpDir,
    maxBytes: settings.maxBytes,
    declaredBytes: upload.declaredBytes,
  });
  try {
    const all = await store.list(namespace);
    // A file past its time that retention has not removed yet is not what a new upload dedupes against.
    for (const file of all.filter(expired)) await store.remove(namespace, file.buildId);
    const files = all.filter((file) => !expired(file));
    if (!files.some((file) => file.buildId === received.buildId))
      checkRoom(namespace, files, received.bytes, settings.namespaceMaxBytes);
    return await store.put(namespace, received.buildId, received.path, deps.now());
  } finally {
    await received.discard();
  }
}

export function createSymbolFiles(deps: {
  store: SymbolStore;
  settings: SymbolSettings;
  now: () => number;
}): SymbolFiles {
  const { store, settings, now } = deps;
  const maxAgeMs = settings.maxAgeSeconds * 1000;
  const expired = (file: StoredSymbol): boolean => now() - file.storedAt >= maxAgeMs;
  const described = describedWith(maxAgeMs);
  let uploading = 0;

  return {
    settings,
    async upload(namespace, body, declaredBytes) {
      if (uploading >= MAX_UPLOADS_AT_ONCE)
        throw new FurnaceError(
          'ERR_RATE_LIMITED',
          `${uploading} symbol files are being uploaded, the most at once (${MAX_UPLOADS_AT_ONCE}); retry in 5 s`,
          { limit: MAX_UPLOADS_AT_ONCE, retryAfterSeconds: 5 },
        );
      uploading += 1;
      try {
        const { stored, file } = await storeUpload(deps, expired, { namespace, body, declaredBytes });
        return { namespace, ...described(file), stored };
      } finally {
        uploading -= 1;
      }
    },
    async list(namespace) {
      const files = (await store.list(namespace))
        .filter((file) => !expired(file))
        .sort((a, b) => b.storedAt - a.storedAt || a.buildId.localeCompare(b.buildId));
      return {
        namespace,
        items: files.map(described),
        bytes: files.reduce((sum, file) => sum + file.bytes, 0),
        maxBytes: settings.namespaceMaxBytes,
      };
    },
    remove: (namespace, buildId) => store.remove(namespace, buildId),
    async open(namespace, buildId) {
      const there = await store.get(namespace, buildId);
      if (!there || expired(there)) return undefined;
      return store.open(namespace, buildId);
    },
    async removeExpired() {
      let removed = 0;
      for await (const file of store.all())
        if (expired(file) && (await store.remove(file.namespace, file.buildId))) removed += 1;
      return removed;
    },
  };
}
