// The sandwich view of one function: who calls it (callers, read from the function down toward the
// root) and what it calls (callees), each as a flame tree over the samples that have it on the stack.
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';

export interface Sandwich {
  /** Rooted at the function; children are its callers, their children the callers' callers. */
  callers: FlameNode;
  /** Rooted at the function; its callees above it as in a flame graph. */
  callees: FlameNode;
  /** Samples with the function on the stack, each once. */
  total: number;
}

const EMPTY: FlameNode = { name: '', value: 0, self: 0, children: [] };

/**
 * Only the outermost frame of the function on each stack counts, so recursion neither doubles the
 * samples nor makes the callers of an inner call look like callers from outside.
 */
export function buildSandwich(root: FlameNode, name: string): Sandwich {
  const callers: FoldedStacks = new Map();
  const callees: FoldedStacks = new Map();
  const path: string[] = [];
  const pending: { node: FlameNode; depth: number }[] = root.children.map((node) => ({ node, depth: 0 }));
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, depth } = item;
    path.length = depth;
    if (node.name === name) {
      addTo(callers, [name, ...path.slice().reverse()].join(';'), node.value);
      collectSubtree(node, callees);
      continue;
    }
    path.push(node.name);
    for (const child of node.children) pending.push({ node: child, depth: depth + 1 });
  }
  const callerTree = buildFlameTree(callers).children[0] ?? { ...EMPTY, name };
  const calleeTree = buildFlameTree(callees).children[0] ?? { ...EMPTY, name };
  return { callers: callerTree, callees: calleeTree, total: callerTree.value };
}

function addTo(stacks: FoldedStacks, key: string, count: number): void {
  if (count > 0) stacks.set(key, (stacks.get(key) ?? 0) + count);
}

/** Every frame of the subtree with samples of its own, as a stack starting at `top`. */
function collectSubtree(top: FlameNode, into: FoldedStacks): void {
  const pending: { node: FlameNode; key: string }[] = [{ node: top, key: top.name }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, key } = item;
    addTo(into, key, node.self);
    for (const child of node.children) pending.push({ node: child, key: `${key};${child.name}` });
  }
}
