// The `filesystem` symbol store (one replica): `<dataDir>/symbols/<namespace>/<build id>.debug`. A file is
// linked into place from the upload's temp file, which fails when the name exists: the first upload of a
// build id is kept, and a reader never sees half a file.
import { constants } from 'node:fs';
import { link, mkdir, open, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  isNamespaceName,
  parseSymbolKey,
  symbolKey,
  type StoredSymbol,
  type SymbolStore,
} from './symbol-store.ts';

async function statOf(path: string, buildId: string): Promise<StoredSymbol | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? { buildId, bytes: info.size, storedAt: info.mtimeMs } : undefined;
}

export async function openFilesystemSymbols(dataDir: string): Promise<SymbolStore> {
  const store = new FilesystemSymbols(join(dataDir, 'symbols'), join(dataDir, 'symbols-tmp'));
  await mkdir(store.root, { recursive: true, mode: 0o700 });
  // Temp files a crash left behind.
  await rm(store.tmpDir, { recursive: true, force: true });
  await mkdir(store.tmpDir, { recursive: true, mode: 0o700 });
  return store;
}

class FilesystemSymbols implements SymbolStore {
  readonly kind = 'filesystem';
  readonly root: string;
  readonly tmpDir: string;

  constructor(root: string, tmpDir: string) {
    this.root = root;
    this.tmpDir = tmpDir;
  }

  #path(namespace: string, buildId: string): string {
    return join(this.root, symbolKey(namespace, buildId));
  }

  async put(namespace: string, buildId: string, path: string, storedAt: number) {
    const target = this.#path(namespace, buildId);
    await mkdir(join(this.root, namespace), { recursive: true, mode: 0o700 });
    // The file's time is when it was stored, by the server's clock (retention counts from it).
    await utimes(path, new Date(storedAt), new Date(storedAt));
    const stored = await link(path, target).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    const file = await statOf(target, buildId);
    if (!file) throw new Error(`symbol file ${buildId} of ${namespace} went while it was stored`);
    return { stored, file };
  }

  get(namespace: string, buildId: string): Promise<StoredSymbol | undefined> {
    return statOf(this.#path(namespace, buildId), buildId);
  }

  async open(namespace: string, buildId: string): Promise<{ body: Readable; bytes: number } | undefined> {
    const path = this.#path(namespace, buildId);
    const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
    if (!file) return undefined;
    const info = await file.stat();
    if (!info.isFile()) {
      await file.close();
      return undefined;
    }
    return { body: file.createReadStream(), bytes: info.size };
  }

  async list(namespace: string): Promise<StoredSymbol[]> {
    symbolKey(namespace, '0000');
    const names = await readdir(join(this.root, namespace)).catch(() => [] as string[]);
    const files: StoredSymbol[] = [];
    for (const name of names) {
      const parsed = parseSymbolKey(`${namespace}/${name}`);
      const file = parsed && (await statOf(join(this.root, namespace, name), parsed.buildId));
      if (file) files.push(file);
    }
    return files;
  }

  async *all(): AsyncIterable<StoredSymbol & { namespace: string }> {
    for (const namespace of await readdir(this.root).catch(() => [] as string[])) {
      if (!isNamespaceName(namespace)) continue;
      for (const file of await this.list(namespace)) yield { ...file, namespace };
    }
  }

  async remove(namespace: string, buildId: string): Promise<boolean> {
    const there = (await this.get(namespace, buildId)) !== undefined;
    await rm(this.#path(namespace, buildId), { force: true });
    return there;
  }
}
