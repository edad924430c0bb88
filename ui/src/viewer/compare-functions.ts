// The compare table: per function, its share of all samples before and after (total: samples with the
// function anywhere on the stack) and the change in points; sortable. Pure.
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { topFunctions } from './top-functions.ts';

export interface CompareRow {
  name: string;
  /** Share of the baseline's samples, 0..1. */
  before: number;
  after: number;
  /** after − before, in share (−1..1). */
  change: number;
}

export type CompareSort = 'change' | 'before' | 'after' | 'name';

export function compareFunctions(before: FlameNode, after: FlameNode): CompareRow[] {
  const shares = (root: FlameNode): Map<string, number> =>
    new Map(topFunctions(root).map((row) => [row.name, root.value > 0 ? row.total / root.value : 0]));
  const was = shares(before);
  const now = shares(after);
  const names = new Set([...was.keys(), ...now.keys()]);
  return [...names].map((name) => {
    const b = was.get(name) ?? 0;
    const a = now.get(name) ?? 0;
    return { name, before: b, after: a, change: a - b };
  });
}

/** Sorted by the key; numbers largest first (change: the largest growth first), names A to Z; `reversed` flips it. */
export function sortCompare(rows: readonly CompareRow[], key: CompareSort, reversed: boolean): CompareRow[] {
  const sorted = [...rows].sort((x, y) => {
    const order = key === 'name' ? x.name.localeCompare(y.name) : y[key] - x[key];
    return order || x.name.localeCompare(y.name);
  });
  return reversed ? sorted.reverse() : sorted;
}

/** Functions the baseline has and the second recording has not at all, the largest first. */
export function onlyBefore(rows: readonly CompareRow[]): CompareRow[] {
  return rows.filter((row) => row.after === 0 && row.before > 0).sort((x, y) => y.before - x.before);
}

/** "12.34%". */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}
