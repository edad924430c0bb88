// Frames of a view grouped by depth, for hit tests and keyboard moves: which frame is under a point,
// which is left, right, above or below another. Pure.
import type { ViewFrame } from '../../../core/render/flame-view.ts';

export interface FrameRows<N> {
  /** rows[depth] = frames at that depth, left to right. */
  rows: ViewFrame<N>[][];
}

export function groupRows<N>(frames: readonly ViewFrame<N>[]): FrameRows<N> {
  const rows: ViewFrame<N>[][] = [];
  // Pre-order with children left to right: each row comes out sorted by x already.
  for (const frame of frames) (rows[frame.depth] ??= []).push(frame);
  return { rows };
}

/** The frame at depth covering x, by binary search; undefined in a gap. */
export function frameAt<N>({ rows }: FrameRows<N>, depth: number, x: number): ViewFrame<N> | undefined {
  const row = rows[depth];
  if (!row) return undefined;
  let low = 0;
  let high = row.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const frame = row[mid] as ViewFrame<N>;
    if (x < frame.x) high = mid - 1;
    else if (x >= frame.x + frame.width) low = mid + 1;
    else return frame;
  }
  return undefined;
}

export type Move = 'left' | 'right' | 'parent' | 'child';

/** The frame a key press moves to from `from`, or `from` itself at an edge. */
export function moveFrom<N>(layout: FrameRows<N>, from: ViewFrame<N>, move: Move): ViewFrame<N> {
  const row = layout.rows[from.depth] ?? [];
  const index = row.indexOf(from);
  if (move === 'left') return row[index - 1] ?? from;
  if (move === 'right') return row[index + 1] ?? from;
  if (move === 'parent') return frameAt(layout, from.depth - 1, from.x + from.width / 2) ?? from;
  // The widest child: the one a reader would follow.
  let best: ViewFrame<N> | undefined;
  for (const frame of layout.rows[from.depth + 1] ?? []) {
    if (frame.x >= from.x + from.width) break;
    if (frame.x + frame.width <= from.x) continue;
    if (!best || frame.width > best.width) best = frame;
  }
  return best ?? from;
}

/**
 * Root → the frame's node, as drawn. Frames are in pre-order: a frame's parent is the nearest frame
 * before it one row closer to the root.
 */
export function pathToFrame<N>(frames: readonly ViewFrame<N>[], frame: ViewFrame<N>): N[] {
  const path: N[] = [frame.node];
  let depth = frame.depth;
  for (let i = frames.indexOf(frame) - 1; i >= 0 && depth > 0; i--) {
    const before = frames[i] as ViewFrame<N>;
    if (before.depth === depth - 1) {
      path.unshift(before.node);
      depth -= 1;
    }
  }
  return path;
}
