// The top-functions table: per function name, samples in the function itself (self) and samples
// with the function anywhere on the stack (total, each sample counted once even under recursion).
import type { FlameNode } from '../../../core/render/flame-tree.ts';

export interface FunctionRow {
  name: string;
  self: number;
  total: number;
}

export type FunctionSort = 'self' | 'total' | 'name';

/** Every function of the tree but the root; walks iteratively, so deep stacks do not overflow. */
export function topFunctions(root: FlameNode): FunctionRow[] {
  const rows = new Map<string, FunctionRow>();
  // How many times each name is on the current path: only its outermost frame adds to total.
  const onPath = new Map<string, number>();
  const pending: { node: FlameNode; exit: boolean }[] = root.children.map((node) => ({ node, exit: false }));
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, exit } = item;
    const depth = onPath.get(node.name) ?? 0;
    if (exit) {
      if (depth <= 1) onPath.delete(node.name);
      else onPath.set(node.name, depth - 1);
      continue;
    }
    let row = rows.get(node.name);
    if (!row) {
      row = { name: node.name, self: 0, total: 0 };
      rows.set(node.name, row);
    }
    row.self += node.self;
    if (depth === 0) row.total += node.value;
    onPath.set(node.name, depth + 1);
    pending.push({ node, exit: true });
    for (const child of node.children) pending.push({ node: child, exit: false });
  }
  return [...rows.values()];
}

/** Largest first for numbers (ties by name), A→Z for names. */
export function sortFunctions(rows: readonly FunctionRow[], key: FunctionSort): FunctionRow[] {
  const byName = (a: FunctionRow, b: FunctionRow): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (key === 'name') return [...rows].sort(byName);
  return [...rows].sort((a, b) => b[key] - a[key] || byName(a, b));
}
