// Folded stacks → a tree of merged frames, and its layout in pixels. Pure; every renderer uses it.
import { compareCodePoints } from '../stacks/folded.ts';
import { layoutFlameView } from './flame-view.ts';
import type { FoldedStacks } from '../stacks/folded.ts';

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

/** The finished tree, children sorted by name. A loop, not recursion: stacks thousands of frames deep
 * (deep recursion, DWARF unwinding) would overflow the call stack. */
function freeze(root: BuildNode): FlameNode {
  const frozen = (node: BuildNode): FlameNode => ({
    name: node.name,
    value: node.value,
    self: node.self,
    children: [],
  });
  const top = frozen(root);
  const pending: [BuildNode, FlameNode][] = [[root, top]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, into] = next;
    for (const child of [...node.children.values()].sort((a, b) => compareCodePoints(a.name, b.name))) {
      const copy = frozen(child);
      into.children.push(copy);
      pending.push([child, copy]);
    }
  }
  return top;
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
 * together with everything above it (it could only be narrower still). The unzoomed case of
 * `layoutFlameView` (flame-view.ts), shifted right by `xpad`.
 */
export function layoutFlameTree(root: FlameNode, width: number, minWidth: number, xpad = 10): FlameLayout {
  const total = root.value;
  if (total <= 0) return { frames: [], maxDepth: 0, total: 0 };
  const view = layoutFlameView(root, { width: width - 2 * xpad, minWidth });
  const frames = view.frames.map(({ node, depth, x, width: w }) => ({ node, depth, x: xpad + x, width: w }));
  return { frames, maxDepth: view.maxDepth, total };
}
