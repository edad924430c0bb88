// Where windows are kept: beside the catalog's artifacts, in its store's place but under a prefix of
// their own (`<dataDir>/continuous/…` files for one replica, `<prefix>continuous/…` objects in the bucket),
// so the catalog's orphan collector, which lists `recordings/`, never sees them. A window is small
// (folded text, bounded by the upload's size) and written once under a key that names it, with its pprof
// (`profile.pb.gz`) beside it: written first, so a window that lists always has its pprof.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

export interface WindowStore {
  /** Stores a window's folded text and, when given, its gzipped pprof (written first). */
  put(key: string, body: string, pprof?: Uint8Array): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** The window's gzipped pprof; undefined when it has none. */
  getProfile(key: string): Promise<Buffer | undefined>;
  /** Keys under a prefix (`<namespace>/<hour>/`), in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  /** Keys under a prefix with the bytes they hold (folded text and pprof): retention by size. */
  listSized(prefix: string): AsyncIterable<{ key: string; bytes: number }>;
  /** Every hour bucket, as its prefix `<namespace>/<YYYYMMDDHH>/` (retention's walk). */
  hours(): AsyncIterable<{ namespace: string; hour: string }>;
  /** Removes windows (folded text first, then the pprof); a key that is gone already is no error. */
  remove(keys: readonly string[]): Promise<void>;
  /** Removes every window of an hour bucket. */
  removeHour(namespace: string, hour: string): Promise<void>;
  /** The namespaces that have windows (one listing). */
  namespaces(): AsyncIterable<string>;
  /**
   * Small state objects kept beside the windows (a continuous sink's cursor), under a prefix of their own
   * (`<dataDir>/continuous-state/`, `<prefix>continuous-state/`): never listed, compacted or removed as a window.
   */
  readState(name: string): Promise<string | undefined>;
  writeState(name: string, body: string): Promise<void>;
}

const SUFFIX = '.folded';
export const PPROF_SUFFIX = '.pb.gz';

async function writeAtomically(path: string, body: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, body);
  await rename(temp, path);
}

const sizeOf = (path: string): Promise<number> =>
  stat(path).then(
    (s) => s.size,
    () => 0,
  );

/** A state object's name: letters, digits, `-`, `_` and `.` (a file name and an object key as it is). */
export const STATE_NAME = /^[a-z0-9][-a-z0-9_.]{0,200}$/;

export function checkStateName(name: string): string {
  if (!STATE_NAME.test(name)) throw new Error(`state name ${JSON.stringify(name)} is not ${STATE_NAME}`);
  return name;
}

export function filesystemWindows(dataDir: string): WindowStore {
  const root = join(dataDir, 'continuous');
  const stateRoot = join(dataDir, 'continuous-state');
  const store: WindowStore = {
    async put(key, body, pprof) {
      if (pprof) await writeAtomically(join(root, key + PPROF_SUFFIX), pprof);
      await writeAtomically(join(root, key + SUFFIX), body);
    },
    get: (key) => readFile(join(root, key + SUFFIX), 'utf8').catch(() => undefined),
    getProfile: (key) => readFile(join(root, key + PPROF_SUFFIX)).catch(() => undefined),
    async *list(prefix) {
      const names = await readdir(join(root, prefix)).catch(() => [] as string[]);
      for (const name of names) if (name.endsWith(SUFFIX)) yield prefix + name.slice(0, -SUFFIX.length);
    },
    async *listSized(prefix) {
      for await (const key of store.list(prefix)) {
        const bytes =
          (await sizeOf(join(root, key + SUFFIX))) + (await sizeOf(join(root, key + PPROF_SUFFIX)));
        yield { key, bytes };
      }
    },
    async *hours() {
      for (const namespace of await readdir(root).catch(() => [] as string[]))
        for (const hour of await readdir(join(root, namespace)).catch(() => [] as string[]))
          yield { namespace, hour };
    },
    async remove(keys) {
      for (const key of keys) {
        await rm(join(root, key + SUFFIX), { force: true });
        await rm(join(root, key + PPROF_SUFFIX), { force: true });
      }
    },
    async removeHour(namespace, hour) {
      await rm(join(root, namespace, hour), { recursive: true, force: true });
    },
    async *namespaces() {
      yield* await readdir(root).catch(() => [] as string[]);
    },
    async readState(name) {
      return readFile(join(stateRoot, checkStateName(name)), 'utf8').catch(() => undefined);
    },
    async writeState(name, body) {
      await writeAtomically(join(stateRoot, checkStateName(name)), body);
    },
  };
  return store;
}
