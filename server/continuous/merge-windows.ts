// A range query: the windows of a namespace whose keys match, read one at a time and added into one set
// of folded stacks. Memory holds the merged stacks (bounded by the distinct stacks, not by the windows)
// and one window; the total is exactly the sum of the windows' totals.
import { parseFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import {
  hourPrefixes,
  parseWindowKey,
  windowMatches,
  withoutMerged,
  type WindowMeta,
  type WindowQuery,
} from './window-keys.ts';
import type { WindowStore } from './window-store.ts';

export interface MergedWindows {
  stacks: FoldedStacks;
  windows: number;
  samples: number;
  /** Per pod and container, the samples they add (what a timeline or a table draws from). */
  bySource: Map<string, number>;
}

/** The keys of the query's windows, oldest first; fine windows and the coarse ones merged from them alike. */
export async function matchingKeys(store: WindowStore, query: WindowQuery): Promise<string[]> {
  const keys: { key: string; meta: WindowMeta }[] = [];
  for (const prefix of hourPrefixes(query))
    for await (const key of store.list(prefix)) {
      const meta = parseWindowKey(key);
      if (meta && windowMatches(meta, query)) keys.push({ key, meta });
    }
  // A window that a compaction killed midway already merged into a coarser one counts once.
  return withoutMerged(keys)
    .sort((a, b) => a.meta.start - b.meta.start || (a.key < b.key ? -1 : 1))
    .map((k) => k.key);
}

/** Adds `from` into `into`. */
export function addStacks(into: FoldedStacks, from: FoldedStacks): void {
  for (const [stack, count] of from) into.set(stack, (into.get(stack) ?? 0) + count);
}

export async function mergeWindows(store: WindowStore, query: WindowQuery): Promise<MergedWindows> {
  const merged: MergedWindows = { stacks: new Map(), windows: 0, samples: 0, bySource: new Map() };
  for (const key of await matchingKeys(store, query)) {
    const body = await store.get(key);
    const meta = parseWindowKey(key);
    if (body === undefined || meta === undefined) continue;
    const stacks = parseFolded(body);
    const samples = totalSamples(stacks);
    addStacks(merged.stacks, stacks);
    merged.windows += 1;
    merged.samples += samples;
    const source = `${meta.pod}/${meta.container}`;
    merged.bySource.set(source, (merged.bySource.get(source) ?? 0) + samples);
  }
  return merged;
}
