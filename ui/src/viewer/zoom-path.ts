// A zoomed frame as child indices from the root ("0.2.1" in the URL) and back: short, and the same
// frame every time the same recording is opened, because children are sorted by name.
import { findPath, type ViewNode } from '../../../core/render/flame-view.ts';

/** The node at the end of the indices, stopping at the last index that exists. */
export function nodeAtPath<N extends ViewNode<N>>(root: N, indices: readonly number[]): N {
  let node = root;
  for (const index of indices) {
    const child = node.children[index];
    if (child === undefined) break;
    node = child;
  }
  return node;
}

/** Child indices from the root to `target`; [] for the root or a node not in the tree. */
export function indicesOf<N extends ViewNode<N>>(root: N, target: N): number[] {
  return indicesOfPath(findPath(root, target) ?? [root]);
}

/** Child indices along a path root → node. */
export function indicesOfPath<N extends ViewNode<N>>(path: readonly N[]): number[] {
  const indices: number[] = [];
  for (let i = 1; i < path.length; i++) {
    indices.push((path[i - 1] as N).children.indexOf(path[i] as N));
  }
  return indices;
}
