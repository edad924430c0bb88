// A range query: the windows of a namespace whose keys match, read a few ahead and added into one set of
// folded stacks in order. Memory holds the merged stacks (bounded by the distinct stacks, not by the
// windows) and the windows read ahead; the total is exactly the sum of the windows' totals.
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

/**
 * Windows read while earlier ones merge: one at a time, an hour of 15 s windows (480 reads from files or
 * a bucket) was most of a range query's time.
 */
const READ_AHEAD = 8;

type Read = { body: string | undefined } | { error: unknown };

/** The windows' bodies in the keys' order, up to READ_AHEAD reads in flight. */
export async function* readAhead(
  store: WindowStore,
  keys: readonly string[],
): AsyncGenerator<string | undefined> {
  const inFlight: Promise<Read>[] = [];
  let next = 0;
  const fill = () => {
    while (inFlight.length < READ_AHEAD && next < keys.length)
      inFlight.push(
        store.get(keys[next++] as string).then(
          (body) => ({ body }),
          (error: unknown) => ({ error }),
        ),
      );
  };
  fill();
  while (inFlight.length > 0) {
    const read = await (inFlight.shift() as Promise<Read>);
    if ('error' in read) throw read.error;
    fill();
    yield read.body;
  }
}

export async function mergeWindows(store: WindowStore, query: WindowQuery): Promise<MergedWindows> {
  const merged: MergedWindows = { stacks: new Map(), windows: 0, samples: 0, bySource: new Map() };
  const keys = await matchingKeys(store, query);
  let index = 0;
  for await (const body of readAhead(store, keys)) {
    const key = keys[index++] as string;
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
