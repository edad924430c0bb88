// The functions a Recording's samples were spent in, from folded stacks: self samples per innermost frame.
import type { TopFunction } from './recording-types.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';

/** The `limit` functions with the most self samples, largest first (ties by name), percent of all samples. */
export function topSelfFunctions(stacks: FoldedStacks, limit = 10): TopFunction[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    const leaf = stack.slice(stack.lastIndexOf(';') + 1);
    self.set(leaf, (self.get(leaf) ?? 0) + count);
    total += count;
  }
  if (total === 0) return [];
  return [...self.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit)
    .map(([name, count]) => ({ name, percent: Math.round((10_000 * count) / total) / 100 }));
}
