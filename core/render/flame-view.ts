// What an interactive flame graph shows, without a DOM: the layout of a tree zoomed into one frame,
// and a regular-expression search with the share of samples it matched. The viewer scripts inside
// SVG and HTML flame graphs and the web UI's canvas viewer all draw from these two functions, so a
// zoom or a search means the same thing everywhere. Imports nothing: it is bundled into browsers.
//
//   const view = layoutFlameView(root, { width: 1180, minWidth: 0.5, focus: clickedNode });
//   for (const f of view.frames) draw(f.node, f.depth, f.x, f.width, f.ancestor);
//   const found = searchFlameTree(root, /malloc|free/);  // found.matches, found.share

/** What a view needs of a tree node. `FlameNode` (flame-tree.ts) fits, and so does any richer node. */
export interface ViewNode<N> {
  readonly name: string;
  /** Samples in this frame and everything it called. */
  readonly value: number;
  /** In drawing order, left to right. */
  readonly children: readonly N[];
}

/** One frame to draw. */
export interface ViewFrame<N> {
  node: N;
  /** 0 for the root. */
  depth: number;
  /** Left edge and width in the units of `width` (pixels), measured from 0. */
  x: number;
  width: number;
  /** An ancestor of the focused frame: drawn at full width (flamegraph.pl fades it). */
  ancestor: boolean;
}

export interface ViewOptions<N> {
  /** Width of the whole graph, in pixels. */
  width: number;
  /** Frames narrower than this are left out with everything above them (default 0: none). */
  minWidth?: number;
  /** The zoomed frame (default: the root). A node that is not in the tree counts as the root. */
  focus?: N | undefined;
}

export interface FlameView<N> {
  /**
   * Pre-order, root first: the ancestors of the focus, then the focus and its subtree with children
   * left to right. Siblings of the focus and of its ancestors are not in the view.
   */
  frames: ViewFrame<N>[];
  /** The largest depth among `frames` (0 when there are none). */
  maxDepth: number;
  /** Root → focus, both included. */
  path: N[];
}

/**
 * Lays out the tree zoomed into `focus`: each ancestor of the focus spans the full width, the focus
 * spans it too, and the focused subtree is scaled so that its samples fill the width. An x position
 * is the sample offset times the scale (never a sum of rounded widths), so the same tree always gives
 * the same numbers.
 */
export function layoutFlameView<N extends ViewNode<N>>(root: N, options: ViewOptions<N>): FlameView<N> {
  const { width } = options;
  const minWidth = options.minWidth ?? 0;
  const path = (options.focus === undefined ? undefined : findPath(root, options.focus)) ?? [root];
  const focus = path[path.length - 1] as N;
  const frames: ViewFrame<N>[] = [];
  if (!(focus.value > 0) || width < minWidth) return { frames, maxDepth: 0, path };
  for (let depth = 0; depth < path.length - 1; depth++)
    frames.push({ node: path[depth] as N, depth, x: 0, width, ancestor: true });
  let maxDepth = path.length - 1;
  const scale = width / focus.value;
  const pending: { node: N; depth: number; start: number }[] = [{ node: focus, depth: maxDepth, start: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, depth, start } = item;
    const w = node.value * scale;
    if (w < minWidth) continue;
    frames.push({ node, depth, x: start * scale, width: w, ancestor: false });
    if (depth > maxDepth) maxDepth = depth;
    // Children start at the parent's left edge (its own samples are the gap on the right); pushed
    // right to left, so that they come out left to right.
    const at = pending.length;
    let offset = start;
    for (const child of node.children) {
      pending.push({ node: child, depth: depth + 1, start: offset });
      offset += child.value;
    }
    reverseFrom(pending, at);
  }
  return { frames, maxDepth, path };
}

function reverseFrom(items: unknown[], from: number): void {
  for (let i = from, j = items.length - 1; i < j; i++, j--) [items[i], items[j]] = [items[j], items[i]];
}

/** Root → target, both included; undefined when target is not in the tree. */
export function findPath<N extends ViewNode<N>>(root: N, target: N): N[] | undefined {
  // Depth-first with an explicit stack: recursion would overflow on deep recursive profiles.
  const path: N[] = [root];
  const next: number[] = [0];
  while (path.length > 0) {
    const node = path[path.length - 1] as N;
    if (node === target) return path;
    const i = next[next.length - 1] as number;
    const child = node.children[i];
    if (child === undefined) {
      path.pop();
      next.pop();
    } else {
      next[next.length - 1] = i + 1;
      path.push(child);
      next.push(0);
    }
  }
  return undefined;
}

export interface FlameSearch<N> {
  /** Every frame whose name matches (to highlight). */
  matches: Set<N>;
  /**
   * Samples in matching frames, each sample counted once: a matching frame inside another matching
   * frame adds nothing, as in flamegraph.pl.
   */
  matched: number;
  /** Samples of the tree searched (its root's value). */
  total: number;
  /** matched / total, from 0 to 1; 0 when there are no samples. */
  share: number;
}

/**
 * Tests every frame's name against `pattern`, the root's too. Search the focused node instead of the
 * root for the share within a zoom. A global or sticky pattern is tested from the start every time.
 */
export function searchFlameTree<N extends ViewNode<N>>(root: N, pattern: RegExp): FlameSearch<N> {
  const matches = new Set<N>();
  let matched = 0;
  const pending: { node: N; inside: boolean }[] = [{ node: root, inside: false }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { node, inside } = item;
    pattern.lastIndex = 0;
    const hit = pattern.test(node.name);
    if (hit) matches.add(node);
    if (hit && !inside) matched += node.value;
    for (const child of node.children) pending.push({ node: child, inside: inside || hit });
  }
  const total = root.value;
  return { matches, matched, total, share: total > 0 ? matched / total : 0 };
}

/**
 * The label of a frame `width` pixels wide when a character takes `charWidth` pixels and the label
 * `padding` pixels in all: the whole name, or its start and ".." when cut, or "" when fewer than
 * three characters would fit.
 */
export function fitLabel(name: string, width: number, charWidth: number, padding = 6): string {
  const chars = Math.floor((width - padding) / charWidth);
  if (chars < 3) return '';
  return name.length <= chars ? name : `${name.slice(0, chars - 2)}..`;
}
