// The symbol files a configuration asks for: in the catalog's place (a bucket when `storage.s3` is set,
// else files under dataDir), with the `symbols.*` settings; retention as a leader's chore. The bucket's
// modules (the AWS SDK) load only when it is set.
import type { Chore } from '../leader/chores.ts';
import type { SymbolSettings } from '../config/config-symbols.ts';
import type { StorageConfig } from '../storage/storage-config.ts';
import { openFilesystemSymbols } from './filesystem-symbols.ts';
import { createSymbolFiles, type SymbolFiles } from './symbol-files.ts';
import type { SymbolStore } from './symbol-store.ts';

/** How often the leader removes files past symbols.maxAgeSeconds. */
export const SYMBOL_RETENTION_EVERY_MS = 10 * 60 * 1000;

export async function openSymbolStore(storage: StorageConfig, dataDir: string): Promise<SymbolStore> {
  const { s3 } = storage;
  if (s3 === undefined) return openFilesystemSymbols(dataDir);
  const [{ checkS3Credentials, createS3Client }, { openS3Symbols }] = await Promise.all([
    import('../storage/s3-client.ts'),
    import('./s3-symbols.ts'),
  ]);
  await checkS3Credentials(s3);
  return openS3Symbols(createS3Client(s3), { bucket: s3.bucket, prefix: s3.prefix }, dataDir);
}

export async function openSymbolFiles(
  config: { storage: StorageConfig; dataDir: string; symbols: SymbolSettings },
  now: () => number,
): Promise<{ files: SymbolFiles; chores: Chore[] }> {
  const store = await openSymbolStore(config.storage, config.dataDir);
  const files = createSymbolFiles({ store, settings: config.symbols, now });
  return {
    files,
    chores: [
      { name: 'symbol-retention', everyMs: SYMBOL_RETENTION_EVERY_MS, run: () => files.removeExpired() },
    ],
  };
}
