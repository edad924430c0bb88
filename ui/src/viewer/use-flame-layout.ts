// The frames of a zoom path laid out in a width, grouped in rows, and where each row is drawn: the
// root at the bottom (flame) or at the top (icicle).
import { useMemo, useRef } from 'preact/hooks';
import type { FlameView, ViewNode } from '../../../core/render/flame-view.ts';
import type { Orientation } from '../routing/url-state.ts';
import { groupRows, type FrameRows } from './frame-rows.ts';
import { layoutAlongPath } from './zoomed-layout.ts';

export const ROW_HEIGHT = 18;

export interface FlameLayout<N> {
  view: FlameView<N>;
  rows: FrameRows<N>;
  /** Of the canvas, in CSS pixels. */
  height: number;
  /** The top of a row. */
  yOf: (depth: number) => number;
  /** The row under a y. */
  depthAt: (y: number) => number;
}

export function useFlameLayout<N extends ViewNode<N>>(
  path: N[],
  width: number,
  orientation: Orientation,
): FlameLayout<N> {
  const view = useMemo(
    () => layoutAlongPath(path, { width: Math.max(width, 1), minWidth: 0.5 }),
    [path, width],
  );
  const rows = useMemo(() => groupRows(view.frames), [view]);
  // The height only grows while the same tree is shown, as in flamegraph.pl: zooming does not move
  // the page, and the canvas is not reallocated on every zoom.
  const tallest = useRef<{ root: N | undefined; rows: number }>({ root: undefined, rows: 0 });
  if (tallest.current.root !== path[0]) tallest.current = { root: path[0], rows: 0 };
  tallest.current.rows = Math.max(tallest.current.rows, view.maxDepth + 1);
  const height = tallest.current.rows * ROW_HEIGHT;
  const yOf = (depth: number): number =>
    orientation === 'flame' ? height - (depth + 1) * ROW_HEIGHT : depth * ROW_HEIGHT;
  const depthAt = (y: number): number =>
    orientation === 'flame'
      ? tallest.current.rows - 1 - Math.floor(y / ROW_HEIGHT)
      : Math.floor(y / ROW_HEIGHT);
  return { view, rows, height, yOf, depthAt };
}
