// Folded stacks → a tree of merged frames, and its layout in pixels. Pure; every renderer uses it.
import type { FoldedStacks } from '../stacks/collapse-perf.ts';
import { compareCodePoints } from '../stacks/folded.ts';

export interface FlameNode {
  name: string;
  /** Samples in this frame and everything it called. */
  value: number;
  /** Samples in this frame itself. */
  self: number;
  /** Sorted by name, like flamegraph.pl, so the same input always draws the same picture. */
  children: FlameNode[];
}

interface BuildNode {
  name: string;
  value: number;
  self: number;
  children: Map<string, BuildNode>;
}

/** The root is named `all` and holds every sample; equal frames under the same parent merge. */
export function buildFlameTree(stacks: FoldedStacks): FlameNode {
  const root: BuildNode = { name: 'all', value: 0, self: 0, children: new Map() };
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    root.value += count;
    let node = root;
    for (const name of stack.split(';')) {
      let child = node.children.get(name);
      if (!child) {
        child = { name, value: 0, self: 0, children: new Map() };
        node.children.set(name, child);
      }
      child.value += count;
      node = child;
    }
    node.self += count;
  }
  return freeze(root);
}

function freeze(node: BuildNode): FlameNode {
  const children = [...node.children.values()].sort((a, b) => compareCodePoints(a.name, b.name)).map(freeze);
  return { name: node.name, value: node.value, self: node.self, children };
}

export interface FlameFrame {
  node: FlameNode;
  /** 0 for `all`. */
  depth: number;
  /** Left edge and width in pixels, inside the horizontal padding. */
  x: number;
  width: number;
}

export interface FlameLayout {
  frames: FlameFrame[];
  maxDepth: number;
  total: number;
}

/**
 * Places frames left to right in name order; a frame narrower than `minWidth` pixels is left out
 * together with everything above it (it could only be narrower still).
 */
export function layoutFlameTree(root: FlameNode, width: number, minWidth: number, xpad = 10): FlameLayout {
  const frames: FlameFrame[] = [];
  const total = root.value;
  if (total <= 0) return { frames, maxDepth: 0, total: 0 };
  const scale = (width - 2 * xpad) / total;
  let maxDepth = 0;
  const stack: { node: FlameNode; depth: number; start: number }[] = [{ node: root, depth: 0, start: 0 }];
  while (stack.length > 0) {
    const { node, depth, start } = stack.pop() as { node: FlameNode; depth: number; start: number };
    const w = node.value * scale;
    if (w < minWidth) continue;
    frames.push({ node, depth, x: xpad + start * scale, width: w });
    if (depth > maxDepth) maxDepth = depth;
    let offset = start;
    const next: { node: FlameNode; depth: number; start: number }[] = [];
    for (const child of node.children) {
      next.push({ node: child, depth: depth + 1, start: offset });
      offset += child.value;
    }
    // Reverse so the walk emits children left to right: a stable order for golden files.
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i] as (typeof next)[number]);
  }
  return { frames, maxDepth, total };
}
