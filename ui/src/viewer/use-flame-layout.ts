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
  /** Of the graph as shown, in CSS pixels. */
  height: number;
  /**
   * Of the canvas, in CSS pixels: the graph's height and rows to spare (drawn blank, clipped from view:
   * above the graph in a flame graph, below it in an icicle), so a zoom that shows deeper frames
   * does not reallocate the canvas, which costs as much as drawing the graph.
   */
  canvasHeight: number;
  /** Where the graph's top is on the canvas: its spare rows are on the side away from the roots. */
  canvasTop: number;
  /** The top of a row, in the graph's pixels. */
  yOf: (depth: number) => number;
  /** The row under a y in the graph's pixels. */
  depthAt: (y: number) => number;
}

/** Rows the canvas has beyond the graph's when it grows: half the graph's, 8 to 40. */
export function spareRows(rows: number): number {
  return Math.min(40, Math.max(8, Math.ceil(rows / 2)));
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
  // the page. The canvas grows ahead of it.
  const tallest = useRef({ root: undefined as N | undefined, rows: 0, canvasRows: 0 });
  if (tallest.current.root !== path[0]) tallest.current = { root: path[0], rows: 0, canvasRows: 0 };
  const shown = tallest.current;
  shown.rows = Math.max(shown.rows, view.maxDepth + 1);
  if (shown.canvasRows < shown.rows) shown.canvasRows = shown.rows + spareRows(shown.rows);
  const height = shown.rows * ROW_HEIGHT;
  const yOf = (depth: number): number =>
    orientation === 'flame' ? height - (depth + 1) * ROW_HEIGHT : depth * ROW_HEIGHT;
  const depthAt = (y: number): number =>
    orientation === 'flame' ? shown.rows - 1 - Math.floor(y / ROW_HEIGHT) : Math.floor(y / ROW_HEIGHT);
  const canvasHeight = shown.canvasRows * ROW_HEIGHT;
  const canvasTop = orientation === 'flame' ? canvasHeight - height : 0;
  return { view, rows, height, canvasHeight, canvasTop, yOf, depthAt };
}
