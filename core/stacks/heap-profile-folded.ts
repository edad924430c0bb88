// V8's sampling heap profile (the DevTools protocol's HeapProfiler.SamplingHeapProfile) as folded stacks:
// each node's self size, the bytes allocated there during sampling that were still live when it stopped,
// on the node's path from the root, frames named as in CPU profiles. Pure.
import { frameName, type CpuProfileNode } from './cpuprofile-folded.ts';
import type { FoldedStacks } from './folded.ts';

export interface HeapProfileNode {
  callFrame: CpuProfileNode['callFrame'];
  selfSize: number;
  children?: HeapProfileNode[];
}

/** Folds a sampling heap profile into bytes per stack; `root` names the stack's first frame. */
export function heapProfileToFolded(head: HeapProfileNode, root: string): FoldedStacks {
  const stacks: FoldedStacks = new Map();
  // Iterative: a deep recursion in the profiled program must not overflow this one's stack.
  const pending: { node: HeapProfileNode; path: string }[] = [{ node: head, path: root }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node } = item;
    const isRoot = node === head && node.callFrame.functionName === '(root)';
    const path = isRoot ? item.path : `${item.path};${frameName(node.callFrame).replaceAll(';', ':')}`;
    if (node.selfSize > 0) stacks.set(path, (stacks.get(path) ?? 0) + node.selfSize);
    for (const child of node.children ?? []) pending.push({ node: child, path });
  }
  return stacks;
}
