// Tells who asks which windows are about to be removed (compaction's merged sources, retention by size and
// by age): a continuous sink that has not pushed a window yet counts it as dropped rather than looking
// for it for ever. Without a listener the store is used as it is; with one, an expired hour is listed
// before it is removed (retention by age removes whole hours, once each).
import type { WindowStore } from './window-store.ts';

export type RemovalListener = (keys: readonly string[]) => void;

export interface WatchedWindows {
  store: WindowStore;
  /** Calls `listener` with the keys of every removal before it happens; answers how to stop. */
  onRemoved(listener: RemovalListener): () => void;
}

export function watchRemovals(inner: WindowStore): WatchedWindows {
  const listeners = new Set<RemovalListener>();
  const tell = (keys: readonly string[]): void => {
    for (const listener of listeners) listener(keys);
  };
  const store: WindowStore = {
    ...inner,
    async remove(keys) {
      if (keys.length > 0) tell(keys);
      await inner.remove(keys);
    },
    async removeHour(namespace, hour) {
      if (listeners.size > 0) {
        const keys: string[] = [];
        for await (const key of inner.list(`${namespace}/${hour}/`)) keys.push(key);
        if (keys.length > 0) tell(keys);
      }
      await inner.removeHour(namespace, hour);
    },
  };
  return {
    store,
    onRemoved(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
