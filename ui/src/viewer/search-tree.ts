// The explorer's search: which frames match (to draw in magenta) and the matched share of samples.
// A tree read from the compact artifact is searched over its arrays, the pattern tested once per
// distinct name (flame-tree-compact-walks.ts); any other tree (built from folded text, or the
// differential one) frame by frame with searchFlameTree. Both give the same share and the same frames.
import { compactFramesOf } from '../../../core/render/flame-tree-compact.ts';
import { searchCompactFrames } from '../../../core/render/flame-tree-compact-walks.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { searchFlameTree } from '../../../core/render/flame-view.ts';

export interface TreeSearch {
  /** True for a frame whose name matches. */
  isMatch: (node: FlameNode) => boolean;
  /** Samples in matching frames, each counted once; of `total`, the searched tree's samples. */
  matched: number;
  total: number;
  /** matched / total, from 0 to 1. */
  share: number;
}

export function searchTree(root: FlameNode, pattern: RegExp): TreeSearch {
  const compact = compactFramesOf(root);
  if (compact) {
    const { hits, matched, total, share } = searchCompactFrames(compact.frames, pattern, compact.index);
    const names = new Set<string>();
    compact.frames.names.forEach((name, id) => {
      if (hits[id] === 1) names.add(name);
    });
    return { isMatch: (node) => names.has(node.name), matched, total, share };
  }
  const { matches, matched, total, share } = searchFlameTree(root, pattern);
  return { isMatch: (node) => matches.has(node), matched, total, share };
}
