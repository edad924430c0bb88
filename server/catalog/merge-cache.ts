// Merged flame graphs already rendered, by artifact name and the set of recordings merged: a merge of
// 16 MiB of folded stacks costs seconds of CPU, and every viewer of a Recording's page asks for the
// same one. Bounded by the bytes it holds (least recently used go first); an entry goes as soon as one
// of its recordings is deleted or gets new stacks. Callers check access to every id before a lookup,
// so the cache never answers anyone who could not have merged it. Pure.

export interface MergeCache {
  get(name: string, ids: readonly string[]): string | Buffer | undefined;
  set(name: string, ids: readonly string[], body: string | Buffer): void;
  /** Forgets every merge that includes this recording. */
  invalidate(id: string): void;
  /** Bytes held, about (UTF-16 length of text bodies, bytes of binary ones). */
  bytes(): number;
}

interface Cached {
  ids: readonly string[];
  body: string | Buffer;
}

function keyOf(name: string, ids: readonly string[]): string {
  return `${name}\n${[...ids].sort().join('\n')}`;
}

export function createMergeCache(maxBytes: number): MergeCache {
  // A Map keeps insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, Cached>();
  let held = 0;
  const drop = (key: string): void => {
    const cached = entries.get(key);
    if (!cached) return;
    entries.delete(key);
    held -= cached.body.length;
  };
  return {
    get(name, ids) {
      const key = keyOf(name, ids);
      const cached = entries.get(key);
      if (!cached) return undefined;
      entries.delete(key);
      entries.set(key, cached);
      return cached.body;
    },
    set(name, ids, body) {
      if (body.length > maxBytes) return;
      const key = keyOf(name, ids);
      drop(key);
      entries.set(key, { ids: [...ids], body });
      held += body.length;
      for (const oldest of entries.keys()) {
        if (held <= maxBytes) break;
        drop(oldest);
      }
    },
    invalidate(id) {
      for (const [key, cached] of entries) if (cached.ids.includes(id)) drop(key);
    },
    bytes: () => held,
  };
}
