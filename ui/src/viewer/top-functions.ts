// The top-functions table: per function name, samples in the function itself (self) and samples
// with the function anywhere on the stack (total, each sample counted once even under recursion).
import { compactFramesOf } from '../../../core/render/flame-tree-compact.ts';
import { totalsByName } from '../../../core/render/flame-tree-compact-walks.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';

export interface FunctionRow {
  name: string;
  self: number;
  total: number;
}

export type FunctionSort = 'self' | 'total' | 'name';

/**
 * Every function of the tree but its root, or of the zoomed frame's subtree with the zoomed frame itself
 * (`withRoot`: the function zoomed into is the first a user looks for). A tree read from the compact
 * artifact is counted over its arrays, without making a frame object per frame; any other is walked.
 */
export function topFunctions(root: FlameNode, withRoot = false): FunctionRow[] {
  const rows = belowRoot(root);
  return withRoot ? addRoot(rows, root) : rows;
}

/** The root is the outermost frame of its name: its total is all of the subtree's samples. */
function addRoot(rows: FunctionRow[], root: FlameNode): FunctionRow[] {
  const same = rows.find((row) => row.name === root.name);
  if (!same) return [...rows, { name: root.name, self: root.self, total: root.value }];
  return rows.map((row) => (row === same ? { ...row, self: row.self + root.self, total: root.value } : row));
}

function belowRoot(root: FlameNode): FunctionRow[] {
  const compact = compactFramesOf(root);
  if (!compact) return walkFunctions(root);
  const { names } = compact.frames;
  const totals = totalsByName(compact.frames, compact.index);
  const rows: FunctionRow[] = [];
  for (let id = 0; id < names.length; id++) {
    if (totals.seen[id] === 1)
      rows.push({
        name: names[id] as string,
        self: totals.self[id] as number,
        total: totals.total[id] as number,
      });
  }
  return rows;
}

/** Walks iteratively, so deep stacks do not overflow. */
function walkFunctions(root: FlameNode): FunctionRow[] {
  const rows = new Map<string, FunctionRow>();
  // How many times each name is on the current path: only its outermost frame adds to total.
  const onPath = new Map<string, number>();
  // The walk without allocating per node: the path of nodes and, for each, the next child to visit.
  const nodes: FlameNode[] = [root];
  const nextChild: number[] = [0];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top] as FlameNode;
    const index = nextChild[top] as number;
    const child = node.children[index];
    if (child === undefined) {
      nodes.pop();
      nextChild.pop();
      if (top > 0) {
        const depth = onPath.get(node.name) as number;
        onPath.set(node.name, depth - 1);
      }
      continue;
    }
    nextChild[top] = index + 1;
    const depth = onPath.get(child.name) ?? 0;
    let row = rows.get(child.name);
    if (row === undefined) {
      row = { name: child.name, self: 0, total: 0 };
      rows.set(child.name, row);
    }
    row.self += child.self;
    if (depth === 0) row.total += child.value;
    onPath.set(child.name, depth + 1);
    nodes.push(child);
    nextChild.push(0);
  }
  return [...rows.values()];
}

/** Largest first for numbers (ties by name), A→Z for names. */
export function sortFunctions(rows: readonly FunctionRow[], key: FunctionSort): FunctionRow[] {
  const byName = (a: FunctionRow, b: FunctionRow): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (key === 'name') return [...rows].sort(byName);
  return [...rows].sort((a, b) => b[key] - a[key] || byName(a, b));
}

/** The name perf gives frames it has no symbol for. */
export const UNKNOWN_FRAME = '[unknown]';

/** The rows worth listing: not the hidden names (process frames, `[unknown]`), and only matches of a search. */
export function listedFunctions(
  rows: readonly FunctionRow[],
  hidden: ReadonlySet<string>,
  pattern: RegExp | undefined,
): FunctionRow[] {
  return rows.filter((row) => !hidden.has(row.name) && (pattern === undefined || pattern.test(row.name)));
}

/** Names that are not functions: `[unknown]` and, where the stacks start with the process, the process frames. */
export function hiddenNames(root: FlameNode, processFrames: boolean): Set<string> {
  const hidden = new Set([UNKNOWN_FRAME]);
  if (processFrames) for (const child of root.children) hidden.add(child.name);
  return hidden;
}
