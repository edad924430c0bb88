// A zoomed frame as child indices from the root ("0.2.1" in the URL) and back: short, and the same
// frame every time the same recording is opened, because children are sorted by name.
import type { ViewNode } from '../../../core/render/flame-view.ts';

/** Root → the node the indices lead to, stopping at the last index that exists. */
export function pathAt<N extends ViewNode<N>>(root: N, indices: readonly number[]): N[] {
  const path: N[] = [root];
  for (const index of indices) {
    const child = (path[path.length - 1] as N).children[index];
    if (child === undefined) break;
    path.push(child);
  }
  return path;
}

/** Child indices along a path root → node. */
export function indicesOfPath<N extends ViewNode<N>>(path: readonly N[]): number[] {
  const indices: number[] = [];
  for (let i = 1; i < path.length; i++) {
    indices.push((path[i - 1] as N).children.indexOf(path[i] as N));
  }
  return indices;
}
