// bench:compare — the regression comparison of two profiles of 100,000 unique stacks each against merging
// them (what the server's merged graph does: parse both folded files, add their stacks into one), same run,
// same input: both start from the two folded texts as the catalog stores them. Goal: ≤ 2× the merge.
import { compareFoldedText } from '../../core/compare/regression.ts';
import { formatFolded, parseFolded, type FoldedStacks } from '../../core/stacks/folded.ts';
import { load, machine, median, utcNow } from './machine.ts';
import { seededRandom } from '../harness/seeded-random.ts';

const STACKS = 100_000;
const ROUNDS = 7;
const GOAL = 2;

/**
 * Unique stacks as a program makes them: walks 6–30 calls deep down a call graph of 4,000 functions where
 * each calls one of its 12 callees, so stacks share their outer frames; counts in cpu-clock periods at 99 Hz.
 */
function profile(seed: number, shared: FoldedStacks | undefined): string {
  const next = seededRandom(seed);
  const graph = seededRandom(7);
  const names = Array.from({ length: 4000 }, (_, i) => `pkg${i % 40}::Type::method_${i}(int)`);
  const callees = names.map(() => Array.from({ length: 12 }, () => Math.floor(graph() * names.length)));
  const stacks: FoldedStacks = new Map();
  // The later profile keeps most of the earlier one's stacks, with other counts, as a new version would.
  if (shared)
    for (const stack of shared.keys()) {
      if (stacks.size >= STACKS * 0.8) break;
      stacks.set(stack, (1 + Math.floor(next() * 20)) * 10101010);
    }
  while (stacks.size < STACKS) {
    const depth = 6 + Math.floor(next() * 25);
    const frames = ['server', 'main'];
    let at = Math.floor(next() * 8);
    for (let d = 0; d < depth; d++) {
      frames.push(names[at] as string);
      at = (callees[at] as number[])[Math.floor(next() ** 2 * 12)] as number;
    }
    stacks.set(frames.join(';'), (1 + Math.floor(next() * 20)) * 10101010);
  }
  return formatFolded(stacks);
}

function merge(before: string, after: string): number {
  const merged: FoldedStacks = new Map();
  for (const text of [before, after])
    for (const [stack, count] of parseFolded(text)) merged.set(stack, (merged.get(stack) ?? 0) + count);
  return merged.size;
}

function compare(before: string, after: string): number {
  return compareFoldedText(before, after).tested;
}

function time(work: () => number): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const before = profile(1, undefined);
const after = profile(2, parseFolded(before));
console.log(`bench:compare — ${machine()}; ${utcNow()}; load ${load()}`);
console.log(
  `input: two profiles of ${STACKS} unique stacks, ${(before.length / 1e6).toFixed(1)} + ${(after.length / 1e6).toFixed(1)} MB of folded text`,
);
// Warm both paths once, then alternate them so that a neighbour's load falls on both.
merge(before, after);
compare(before, after);
const merges: number[] = [];
const compares: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  merges.push(time(() => merge(before, after)));
  compares.push(time(() => compare(before, after)));
}
const m = median(merges);
const c = median(compares);
const ratio = c / m;
console.log(
  `merge (parse both, add into one): median ${m.toFixed(0)} ms of ${ROUNDS} (${merges.map((v) => v.toFixed(0)).join(', ')})`,
);
console.log(
  `compare (compareFoldedText of both): median ${c.toFixed(0)} ms of ${ROUNDS} (${compares.map((v) => v.toFixed(0)).join(', ')})`,
);
console.log(
  `ratio ${ratio.toFixed(2)}× (goal ≤ ${GOAL}×): ${ratio <= GOAL ? 'met' : 'NOT met'}; load ${load()}`,
);
if (ratio > GOAL) process.exitCode = 1;
