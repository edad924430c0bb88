// A differential flame graph, as FlameGraph's difffolded.pl and flamegraph.pl draw it: the frames and
// widths of the second recording, each coloured by how its share of samples changed from the first
// (red: a larger share, blue: a smaller one, white: the same). Frames only in the first are not drawn.
import type { FlameNode } from '../../../core/render/flame-tree.ts';

export interface DiffNode {
  readonly name: string;
  /** Samples in the second recording (the width). */
  readonly value: number;
  readonly self: number;
  /** Samples of the same frame (same stack) in the first recording. */
  readonly before: number;
  /** Change in share of all samples: after/afterTotal − before/beforeTotal, from −1 to 1. */
  readonly delta: number;
  readonly children: DiffNode[];
}

export interface DiffTree {
  root: DiffNode;
  beforeTotal: number;
  afterTotal: number;
  /** The largest |delta| of any frame, for the colour scale (0 when nothing changed). */
  maxDelta: number;
}

export function diffFlameTrees(before: FlameNode, after: FlameNode): DiffTree {
  const beforeTotal = before.value;
  const afterTotal = after.value;
  const share = (value: number, total: number): number => (total > 0 ? value / total : 0);
  let maxDelta = 0;
  const make = (node: FlameNode, old: FlameNode | undefined): DiffNode => {
    const beforeValue = old?.value ?? 0;
    const delta = share(node.value, afterTotal) - share(beforeValue, beforeTotal);
    if (Math.abs(delta) > maxDelta) maxDelta = Math.abs(delta);
    return { name: node.name, value: node.value, self: node.self, before: beforeValue, delta, children: [] };
  };
  const root = make(after, before);
  // Iterative: profiles of deep recursion would overflow the call stack.
  const pending: { node: FlameNode; old: FlameNode | undefined; out: DiffNode }[] = [
    { node: after, old: before, out: root },
  ];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, old, out } = item;
    const olds = new Map((old?.children ?? []).map((child) => [child.name, child]));
    for (const child of node.children) {
      const oldChild = olds.get(child.name);
      const next = make(child, oldChild);
      out.children.push(next);
      pending.push({ node: child, old: oldChild, out: next });
    }
  }
  return { root, beforeTotal, afterTotal, maxDelta };
}

/** White for no change, toward red for a larger share and toward blue for a smaller one. */
export function diffColor(delta: number, maxDelta: number): string {
  const t = maxDelta > 0 ? Math.min(1, Math.abs(delta) / maxDelta) : 0;
  const fade = Math.round(235 * (1 - t) + 40 * t);
  if (delta > 0) return `rgb(255,${fade},${fade})`;
  if (delta < 0) return `rgb(${fade},${fade},255)`;
  return 'rgb(235,235,235)';
}

/** "+2.5 points" style text of a share change, for tooltips and the legend. */
export function formatDelta(delta: number): string {
  const points = delta * 100;
  const sign = points > 0 ? '+' : points < 0 ? '−' : '±';
  return `${sign}${Math.abs(points).toFixed(2)} pts`;
}

/**
 * The frames only the first recording has (no frame of the second on the same stack), with the stacks
 * that lead to them: widths are the first recording's samples in those frames, each coloured as the
 * share it lost (all of it). Empty (a root of 0 samples) when the second has every frame of the first.
 */
export function removedFrames(before: FlameNode, after: FlameNode): DiffTree {
  const total = before.value;
  const share = (value: number): number => (total > 0 ? value / total : 0);
  let maxDelta = 0;
  const gone = (node: FlameNode): DiffNode => {
    const delta = -share(node.value);
    if (-delta > maxDelta) maxDelta = -delta;
    return {
      name: node.name,
      value: node.value,
      self: node.self,
      before: node.value,
      delta,
      children: node.children.map(gone),
    };
  };
  const keep = (node: FlameNode, other: FlameNode): DiffNode | undefined => {
    const others = new Map(other.children.map((child) => [child.name, child]));
    const children: DiffNode[] = [];
    for (const child of node.children) {
      const match = others.get(child.name);
      const kept = match ? keep(child, match) : gone(child);
      if (kept) children.push(kept);
    }
    if (children.length === 0) return undefined;
    const value = children.reduce((sum, child) => sum + child.value, 0);
    return { name: node.name, value, self: 0, before: value, delta: -share(value), children };
  };
  const root = keep(before, after) ?? {
    name: before.name,
    value: 0,
    self: 0,
    before: 0,
    delta: 0,
    children: [],
  };
  return { root, beforeTotal: total, afterTotal: after.value, maxDelta };
}
