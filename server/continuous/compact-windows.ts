// Compaction of continuous profiling's windows, a leader's chore beside retention: windows older than an
// hour are merged into 1-minute windows, older than a day into 10-minute ones (configurable), per pod and
// container (node and workload kept). The coarse window is written (folded text and pprof) before its
// sources are removed; a pass stopped between the two leaves the sources as duplicates, which queries
// skip (window-keys.ts mergedInto) and the next pass removes. Nothing is lost, and totals stay exact:
// a coarse window's counts are the sum of its sources'.
import { parseFolded, formatFolded, type FoldedStacks } from '../../core/stacks/folded.ts';
import { CONTINUOUS_LIMITS } from '../../core/continuous/continuous-plan.ts';
import { addStacks } from './merge-windows.ts';
import { windowPprof } from './window-pprof.ts';
import {
  hourStart,
  mergedInto,
  parseWindowKey,
  sourceOf,
  windowKey,
  type WindowMeta,
} from './window-keys.ts';
import type { WindowStore } from './window-store.ts';

export interface CompactionLevel {
  /** The slot length in seconds windows are merged into. */
  resolution: number;
  /** Windows whose slot ended longer ago than this are merged. */
  afterMs: number;
}

export interface Listed {
  key: string;
  meta: WindowMeta;
}

/** One coarse window to write and the windows it merges. */
export interface Merge {
  target: WindowMeta;
  sources: string[];
}

export interface CompactionPlan {
  merges: Merge[];
  /** Windows a coarse window already holds (a pass stopped midway): removed without merging. */
  duplicates: string[];
}

/** The coarsest level whose slot of `meta` is old enough and coarser than `meta`. */
function levelOf(meta: WindowMeta, levels: readonly CompactionLevel[], now: number, maxWindowMs: number) {
  let chosen: CompactionLevel | undefined;
  for (const level of levels) {
    const slotMs = level.resolution * 1000;
    const slotEnd = Math.floor(meta.start / slotMs) * slotMs + slotMs;
    // Every window that may still start in the slot has ended, and ended longer ago than the level's age.
    const old = slotEnd + maxWindowMs <= now - level.afterMs;
    if (old && (meta.resolution ?? 0) < level.resolution) chosen = level;
  }
  return chosen;
}

/** What to merge and remove among the windows of one hour bucket. Pure. */
export function planCompaction(
  windows: readonly Listed[],
  levels: readonly CompactionLevel[],
  now: number,
  maxWindowMs = CONTINUOUS_LIMITS.windowSeconds.max * 1000,
): CompactionPlan {
  const coarse = windows.filter((w) => w.meta.resolution !== undefined);
  const duplicates: string[] = [];
  const groups = new Map<string, Merge>();
  for (const window of windows) {
    if (coarse.some((c) => mergedInto(window.meta, c.meta))) {
      duplicates.push(window.key);
      continue;
    }
    const level = levelOf(window.meta, levels, now, maxWindowMs);
    if (!level) continue;
    const slot = Math.floor(window.meta.start / (level.resolution * 1000));
    const id = `${sourceOf(window.meta)}|${level.resolution}|${slot}`;
    const group = groups.get(id);
    if (!group)
      groups.set(id, { target: { ...window.meta, resolution: level.resolution }, sources: [window.key] });
    else {
      group.target.start = Math.min(group.target.start, window.meta.start);
      group.target.end = Math.max(group.target.end, window.meta.end);
      group.sources.push(window.key);
    }
  }
  return { merges: [...groups.values()], duplicates };
}

export interface CompactionDeps {
  windows: WindowStore;
  levels: readonly CompactionLevel[];
  /** pprof's period: the frequency windows were sampled at. */
  frequency: number;
  now: number;
}

export interface CompactionResult {
  /** Coarse windows written. */
  written: number;
  /** Windows merged into them and removed. */
  merged: number;
  duplicates: number;
}

async function applyMerge(deps: CompactionDeps, merge: Merge): Promise<void> {
  const stacks: FoldedStacks = new Map();
  for (const key of merge.sources) {
    const body = await deps.windows.get(key);
    if (body !== undefined) addStacks(stacks, parseFolded(body));
  }
  const pprof = await windowPprof(stacks, merge.target, deps.frequency);
  await deps.windows.put(windowKey(merge.target), formatFolded(stacks), pprof);
  await deps.windows.remove(merge.sources);
}

/** Compacts one hour bucket: lists it, writes each coarse window, then removes what it merged. */
export async function compactHour(
  deps: CompactionDeps,
  namespace: string,
  hour: string,
): Promise<CompactionResult> {
  const listed: Listed[] = [];
  for await (const key of deps.windows.list(`${namespace}/${hour}/`)) {
    const meta = parseWindowKey(key);
    if (meta) listed.push({ key, meta });
  }
  const plan = planCompaction(listed, deps.levels, deps.now);
  await deps.windows.remove(plan.duplicates);
  const result: CompactionResult = { written: 0, merged: 0, duplicates: plan.duplicates.length };
  for (const merge of plan.merges) {
    await applyMerge(deps, merge);
    result.written += 1;
    result.merged += merge.sources.length;
  }
  return result;
}

/** Compacts every hour bucket old enough for the finest level. */
export async function compactWindows(deps: CompactionDeps): Promise<CompactionResult> {
  const total: CompactionResult = { written: 0, merged: 0, duplicates: 0 };
  const youngest = Math.min(...deps.levels.map((l) => l.afterMs));
  const hours: { namespace: string; hour: string }[] = [];
  for await (const bucket of deps.windows.hours())
    if (hourStart(bucket.hour) <= deps.now - youngest) hours.push(bucket);
  for (const { namespace, hour } of hours) {
    const result = await compactHour(deps, namespace, hour);
    total.written += result.written;
    total.merged += result.merged;
    total.duplicates += result.duplicates;
  }
  return total;
}
