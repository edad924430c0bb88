// The artifact keys the catalog's entries name, asked one key at a time while orphans are collected
// (orphans.ts): an object whose key no entry names is an orphan.
import type { EntryIndex } from './entry-index.ts';
import { keysOf } from './catalog-records.ts';
import { recordingOfKey } from './orphans.ts';

/**
 * Whether an entry names a key: looked up by the recording the key's form names, so that the keys of
 * 100,000 entries (900,000 strings, 80 MB of heap for a real perf recording's nine) are never all held
 * at once; only keys not of that form (none the stores write) are gathered.
 */
export function namedKeys(stored: EntryIndex): { has(key: string): boolean } {
  const irregular = new Set<string>();
  for (const record of stored.values())
    for (const key of keysOf(record)) if (recordingOfKey(key) !== record.entry.id) irregular.add(key);
  // A listing comes in key order, so one recording's artifacts come together: its keys are made once.
  let last: { id: string; keys: string[] } | undefined;
  return {
    has: (key) => {
      if (irregular.has(key)) return true;
      const id = recordingOfKey(key);
      if (last?.id !== id) {
        const record = stored.get(id);
        last = { id, keys: record === undefined ? [] : keysOf(record) };
      }
      return last.keys.includes(key);
    },
  };
}
