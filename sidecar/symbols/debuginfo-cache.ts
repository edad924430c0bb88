// The recorder's cache of debug files by build id, filled from debuginfod servers: the second recording of
// a binary takes its debug file from disk. It lives in the data directory, inside the disk budget, holds at
// most `maxCacheBytes` (the least recently used files go first) and remembers a miss for ten minutes, so
// a library no server knows is not asked for on every stop.
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILD_ID, fetchDebugInfo, type DebuginfodOptions } from './debuginfod-client.ts';

export type DebugInfoFound =
  /** origin: `cache`, or the URL of the server that sent the file. */
  { found: true; path: string; origin: string } | { found: false; why: string };

/** Where debug files come from once the binary itself has no symbol table. */
export interface DebugInfoSource {
  /** The debug file for a recording's symbols. */
  find(buildId: string): Promise<DebugInfoFound>;
  /** Fetches into the cache ahead of a find (while perf records). */
  prefetch(buildId: string): Promise<void>;
}

export interface DebugInfoCacheOptions {
  dir: string;
  debuginfod: Omit<DebuginfodOptions, 'maxBytes'> & { maxBytes: number };
  /** The most the cache holds, bytes. */
  maxCacheBytes: number;
  /** Bytes that may be written now (the disk budget). */
  free(): Promise<number>;
  /** Milliseconds since an epoch (tests pass their clock). */
  now?: () => number;
}

/** How long a build id that no server had is not asked for again. */
export const MISS_MEMORY_MS = 10 * 60 * 1000;

async function cachedFiles(dir: string): Promise<{ path: string; bytes: number; used: number }[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = await Promise.all(
    names
      .filter((name) => name.endsWith('.debug'))
      .map(async (name) => {
        const info = await stat(join(dir, name)).catch(() => undefined);
        return info === undefined ? [] : [{ path: join(dir, name), bytes: info.size, used: info.mtimeMs }];
      }),
  );
  return files.flat();
}

/** Removes the least recently used files until the cache is within `maxBytes`, `keep` spared. */
async function evict(dir: string, maxBytes: number, keep: string): Promise<void> {
  const files = (await cachedFiles(dir)).sort((a, b) => a.used - b.used);
  let total = files.reduce((sum, file) => sum + file.bytes, 0);
  for (const file of files) {
    if (total <= maxBytes) return;
    if (file.path === keep) continue;
    await rm(file.path, { force: true });
    total -= file.bytes;
  }
}

export function createDebugInfoCache(options: DebugInfoCacheOptions): DebugInfoSource {
  const now = options.now ?? Date.now;
  const misses = new Map<string, { at: number; why: string }>();
  const pending = new Map<string, Promise<DebugInfoFound>>();

  async function fetchInto(buildId: string, path: string): Promise<DebugInfoFound> {
    await mkdir(options.dir, { recursive: true });
    // A fetched file may take at most half of what is free: the recording still has its artifacts to write.
    const maxBytes = Math.min(options.debuginfod.maxBytes, options.maxCacheBytes, (await options.free()) / 2);
    const outcome = await fetchDebugInfo(
      { ...options.debuginfod, maxBytes: Math.floor(maxBytes) },
      buildId,
      path,
    );
    if (!outcome.found) {
      const why = outcome.tried.map((t) => `${t.url}: ${t.why}`).join('; ') || 'no debuginfod server is set';
      misses.set(buildId, { at: now(), why });
      return { found: false, why };
    }
    await evict(options.dir, options.maxCacheBytes, path);
    return { found: true, path, origin: outcome.url };
  }

  /** Files fetched and not yet used by a recording, with the server each came from. */
  const fresh = new Map<string, string>();

  async function lookup(buildId: string): Promise<DebugInfoFound> {
    if (!BUILD_ID.test(buildId)) return { found: false, why: `bad build id ${buildId}` };
    const path = join(options.dir, `${buildId}.debug`);
    const cached = await stat(path).catch(() => undefined);
    if (cached?.isFile() === true) {
      const at = new Date(now());
      await utimes(path, at, at).catch(() => undefined);
      return { found: true, path, origin: 'cache' };
    }
    const miss = misses.get(buildId);
    if (miss !== undefined && now() - miss.at < MISS_MEMORY_MS) return { found: false, why: miss.why };
    // A prefetch and a stop, or two recordings stopping together, ask once.
    const running = pending.get(buildId) ?? fetchInto(buildId, path);
    pending.set(buildId, running);
    try {
      const found = await running;
      if (found.found) fresh.set(buildId, found.origin);
      return found;
    } finally {
      pending.delete(buildId);
    }
  }

  return {
    async find(buildId) {
      const found = await lookup(buildId);
      // The first recording that uses a fetched file names its server; later ones name the cache.
      const origin = fresh.get(buildId);
      fresh.delete(buildId);
      return found.found && origin !== undefined ? { ...found, origin } : found;
    },
    async prefetch(buildId) {
      await lookup(buildId);
    },
  };
}
