// The `filesystem` artifact store, the default for one replica: `<dataDir>/recordings/<id>/<name>`, beside
// the entry's own file. A body is written to a temp file and renamed into place, so a reader or a crash
// never sees half an artifact; a new upload of the same artifact replaces the file in one rename.
import { constants, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ARTIFACT_NAMES, isArtifactName, type ArtifactName } from '../../core/contract/names.ts';
import { RECORDING_ID_PATTERN } from '../../core/contract/recording.ts';
import {
  legacyArtifactKey,
  type ArtifactStore,
  type ListedArtifact,
  type OpenedArtifact,
  type WrittenArtifact,
} from './artifact-store.ts';

const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);

/** The directories of a data directory: recordings (entries and artifacts) and the temp files' own. */
export function catalogDirs(dataDir: string): { recordingsDir: string; tmpDir: string } {
  return { recordingsDir: join(dataDir, 'recordings'), tmpDir: join(dataDir, 'tmp') };
}

/** Opens the store under dataDir; temp files a crash left behind are removed. */
export async function openFilesystemArtifacts(dataDir: string): Promise<ArtifactStore> {
  const { recordingsDir, tmpDir } = catalogDirs(dataDir);
  await mkdir(recordingsDir, { recursive: true });
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  return new FilesystemArtifacts(recordingsDir, tmpDir);
}

/** The file of a key, or undefined when the key is not `<recording id>/<artifact name>`. */
function relativePath(key: string): string | undefined {
  const [id, name, ...rest] = key.split('/');
  if (id === undefined || name === undefined || rest.length > 0) return undefined;
  return RECORDING_ID.test(id) && isArtifactName(name) ? key : undefined;
}

class FilesystemArtifacts implements ArtifactStore {
  readonly kind = 'filesystem';
  readonly #recordingsDir: string;
  readonly #tmpDir: string;

  constructor(recordingsDir: string, tmpDir: string) {
    this.#recordingsDir = recordingsDir;
    this.#tmpDir = tmpDir;
  }

  holds(key: string, id: string): boolean {
    return relativePath(key) !== undefined && key.startsWith(`${id}/`);
  }

  async write(id: string, name: ArtifactName, body: Readable): Promise<WrittenArtifact> {
    const key = legacyArtifactKey(id, name);
    if (relativePath(key) === undefined) throw new Error(`no artifact key for ${id}/${name}`);
    const temp = join(this.#tmpDir, `${randomBytes(8).toString('hex')}.tmp`);
    try {
      await pipeline(body, createWriteStream(temp));
      const { size } = await stat(temp);
      await mkdir(join(this.#recordingsDir, id), { recursive: true });
      await rename(temp, join(this.#recordingsDir, key));
      return { key, bytes: size };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async open(key: string): Promise<OpenedArtifact | undefined> {
    const path = relativePath(key);
    if (path === undefined) return undefined;
    let file;
    try {
      file = await open(join(this.#recordingsDir, path), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    const info = await file.stat();
    if (!info.isFile()) {
      await file.close();
      return undefined;
    }
    return { body: file.createReadStream(), bytes: info.size };
  }

  async remove(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const path = relativePath(key);
      if (path === undefined) continue;
      await rm(join(this.#recordingsDir, path), { force: true });
      dirs.add(path.split('/')[0] ?? '');
    }
    // The directory goes with its last file (the entry's own file may still be there: then it stays).
    for (const dir of dirs) await rmdir(join(this.#recordingsDir, dir)).catch(() => undefined);
  }

  async *list(): AsyncIterable<ListedArtifact> {
    for (const id of await readdir(this.#recordingsDir)) {
      if (!RECORDING_ID.test(id)) continue;
      const names = await readdir(join(this.#recordingsDir, id)).catch(() => [] as string[]);
      for (const name of names.filter((n): n is ArtifactName =>
        (ARTIFACT_NAMES as readonly string[]).includes(n),
      )) {
        const info = await stat(join(this.#recordingsDir, id, name)).catch(() => undefined);
        if (info?.isFile()) yield { key: legacyArtifactKey(id, name), modifiedAt: info.mtimeMs };
      }
    }
  }

  close(): void {}
}
