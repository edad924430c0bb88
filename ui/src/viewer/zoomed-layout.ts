// The zoomed layout of flame-view.ts without searching the tree for the focus: the page already has
// the path (from the URL's indices, or from the frames drawn), so the focused subtree is laid out as
// a root of its own and the path's ancestors are put under it. Same frames as
// layoutFlameView(root, { focus }), in time proportional to what is drawn.
import { layoutFlameView, type FlameView, type ViewNode } from '../../../core/render/flame-view.ts';

export function layoutAlongPath<N extends ViewNode<N>>(
  path: readonly N[],
  options: { width: number; minWidth?: number },
): FlameView<N> {
  const focus = path[path.length - 1];
  if (focus === undefined) return { frames: [], maxDepth: 0, path: [] };
  const inner = layoutFlameView(focus, options);
  if (inner.frames.length === 0) return { frames: [], maxDepth: 0, path: [...path] };
  const offset = path.length - 1;
  const frames = path
    .slice(0, offset)
    .map((node, depth) => ({ node, depth, x: 0, width: options.width, ancestor: true }));
  // The inner frames are this call's own: moved up in place rather than copied.
  for (const frame of inner.frames) {
    frame.depth += offset;
    frames.push(frame);
  }
  return { frames, maxDepth: inner.maxDepth + offset, path: [...path] };
}
