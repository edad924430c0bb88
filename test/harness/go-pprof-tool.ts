// Reading a profile.pb.gz with the real `go tool pprof`: its raw sample total and its -top flat column,
// and what Furnace itself counts from the same folded stacks (Top functions: self samples per function).
import { buildFlameTree } from '../../core/render/flame-tree.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';
import { sortFunctions, topFunctions } from '../../ui/src/viewer/top-functions.ts';
import { goBinary } from './go-pprof-program.ts';
import { run } from './processes.ts';

/** Sum of the first value column (samples/count) of `go tool pprof -raw`. */
export async function pprofRawTotal(path: string): Promise<number> {
  const raw = (await run(await goBinary(), ['tool', 'pprof', '-raw', path])).stdout;
  let total = 0;
  for (const match of raw.matchAll(/^\s+(\d+)\s+\d+: [\d ]+$/gm)) total += Number(match[1]);
  return total;
}

/** `go tool pprof -top` over every node: [function name, flat samples] in the order pprof ranks them. */
export async function pprofTop(path: string): Promise<[string, number][]> {
  const args = [
    'tool',
    'pprof',
    '-top',
    '-sample_index=samples',
    '-nodecount=1000000',
    '-nodefraction=0',
    path,
  ];
  const top = (await run(await goBinary(), args)).stdout;
  const rows: [string, number][] = [];
  for (const line of top.split('\n')) {
    const row = /^\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+\d+\s+[\d.]+%\s+(.+)$/.exec(line);
    if (row?.[1] && row[2] && Number(row[1]) > 0) rows.push([row[2], Number(row[1])]);
  }
  return rows;
}

/** Furnace's Top functions sorted by self, as the UI's table shows them: [name, self], self > 0 only. */
export function furnaceTopSelf(stacks: FoldedStacks): [string, number][] {
  return sortFunctions(topFunctions(buildFlameTree(stacks)), 'self')
    .filter((row) => row.self > 0)
    .map((row) => [row.name, row.self]);
}

/**
 * A ranking as its steps: each count, largest first, with the names that have it (sorted). Two rankings
 * are the same when these are, whatever order each tool gives to names of equal count.
 */
export function rankSteps(rows: readonly [string, number][]): [number, string[]][] {
  const byCount = new Map<number, string[]>();
  for (const [name, count] of rows) byCount.set(count, [...(byCount.get(count) ?? []), name]);
  return [...byCount.entries()].sort((a, b) => b[0] - a[0]).map(([count, names]) => [count, names.sort()]);
}

const TIME_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  ms: 1e6,
  s: 1e9,
  mins: 60e9,
  hrs: 3600e9,
};

/** What `go tool pprof -top` says of a time-valued profile: its sample type and total, ns (as pprof rounds it). */
export async function pprofTimeTotal(path: string): Promise<{ type: string; totalNs: number }> {
  const top = (await run(await goBinary(), ['tool', 'pprof', '-top', '-nodecount=1', path])).stdout;
  const type = /^Type: (\S+)$/m.exec(top)?.[1];
  const total = /of ([\d.]+)(ns|us|ms|s|mins|hrs) total/.exec(top);
  if (type === undefined || total?.[1] === undefined || total[2] === undefined)
    throw new Error(`go tool pprof -top printed no type or time total:\n${top}`);
  return { type, totalNs: Number(total[1]) * (TIME_UNITS[total[2]] ?? NaN) };
}
