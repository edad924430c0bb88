// The flame graph on a canvas: frames from flame-view.ts (layoutAlongPath), names drawn as text (never markup),
// a tooltip, click to zoom, and the keyboard (arrows move, Enter zooms, Escape resets).
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ViewFrame, ViewNode } from '../../../core/render/flame-view.ts';
import type { Orientation } from '../routing/url-state.ts';
import { keyAction } from './flame-keys.ts';
import { FlameTooltip, type TipAt } from './flame-tooltip.tsx';
import { frameAt, moveFrom, pathToFrame } from './frame-rows.ts';
import { paintFlame, type FlamePaint } from './paint-flame.ts';
import { ROW_HEIGHT, useFlameLayout, type FlameLayout } from './use-flame-layout.ts';
import { useWidth } from './use-width.ts';

export interface FlameCanvasProps<N extends ViewNode<N>> {
  /** Root → the zoomed frame; [root] when not zoomed. */
  path: N[];
  orientation: Orientation;
  /** Accessible name of the graph. */
  name: string;
  colorOf: (node: N) => string;
  /** Search matches, drawn in magenta. */
  isMatch?: ((node: N) => boolean) | undefined;
  /** Lines of the tooltip and of the keyboard announcement. */
  describe: (node: N) => string[];
  /** `path`: root → node, both included, as drawn. */
  onZoom?: (node: N, path: N[]) => void;
  onReset?: () => void;
}

/** The pointer in the graph's pixels (the box that shows the graph) and the frame under it, if any. */
function pointIn<N>(event: MouseEvent, layout: FlameLayout<N>): TipAt<ViewFrame<N> | undefined> {
  const rect = (event.currentTarget as HTMLDivElement).getBoundingClientRect();
  const [x, y] = [event.clientX - rect.left, event.clientY - rect.top];
  return { frame: frameAt(layout.rows, layout.depthAt(y), x), x, y };
}

/** The pointer shows a frame's tooltip where it is; a click zooms into the frame. */
function pointerHandlers<N>(
  layout: FlameLayout<N>,
  setHover: (tip: TipAt<ViewFrame<N>> | undefined) => void,
  zoom: (frame: ViewFrame<N>) => void,
) {
  return {
    onMouseMove: (event: MouseEvent) => {
      const at = pointIn(event, layout);
      setHover(at.frame ? { ...at, frame: at.frame } : undefined);
    },
    onMouseLeave: () => setHover(undefined),
    onClick: (event: MouseEvent) => {
      const { frame } = pointIn(event, layout);
      if (frame) zoom(frame);
    },
  };
}

/** Flame graphs grow upward from their roots: a deep profile opens scrolled to the roots. */
function useRootsInView(
  box: RefObject<HTMLDivElement | null>,
  root: unknown,
  orientation: Orientation,
): void {
  useLayoutEffect(() => {
    if (box.current) box.current.scrollTop = orientation === 'flame' ? box.current.scrollHeight : 0;
  }, [root, orientation]);
}

/** Drawn before the browser paints: a zoom or a search shows in the same frame as its cause. */
function usePaint<N extends ViewNode<N>>(
  canvasRef: RefObject<HTMLCanvasElement | null>,
  layout: FlameLayout<N>,
  paint: Pick<FlamePaint<N>, 'width' | 'colorOf' | 'isMatch' | 'selected'>,
): void {
  const { view, height, canvasHeight, canvasTop, yOf } = layout;
  const { width, colorOf, isMatch, selected } = paint;
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (canvas)
      paintFlame(canvas, { ...paint, height, canvasHeight, top: canvasTop, frames: view.frames, yOf });
  }, [view, width, height, canvasHeight, canvasTop, colorOf, isMatch, selected]);
}

export function FlameCanvas<N extends ViewNode<N>>(props: FlameCanvasProps<N>) {
  const { path, orientation, colorOf, isMatch, describe } = props;
  const [boxRef, width] = useWidth();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<TipAt<ViewFrame<N>> | undefined>(undefined);
  const [selected, setSelected] = useState<ViewFrame<N> | undefined>(undefined);
  const layout = useFlameLayout(path, width, orientation);
  const { view, rows, height, canvasHeight, canvasTop, yOf } = layout;

  // A new layout invalidates the frame objects the keyboard and the tooltip point at.
  useEffect(() => {
    setSelected(undefined);
    setHover(undefined);
  }, [view]);

  usePaint(canvasRef, layout, { width, colorOf, isMatch, selected });
  useRootsInView(boxRef, height, orientation);
  const zoom = (frame: ViewFrame<N>): void => props.onZoom?.(frame.node, pathToFrame(view.frames, frame));
  const onKeyDown = (event: KeyboardEvent): void => {
    const start = selected ?? view.frames.find((frame) => frame.node === path[path.length - 1]);
    const action = keyAction(event.key, orientation);
    if (!action || (action.kind !== 'reset' && !start)) return;
    event.preventDefault();
    if (action.kind === 'reset') props.onReset?.();
    else if (start && action.kind === 'zoom') zoom(start);
    else if (start && action.kind !== 'zoom')
      setSelected(selected ? moveFrom(rows, start, action.move) : start);
  };

  const tip =
    hover ??
    (selected ? { frame: selected, x: selected.x + 8, y: yOf(selected.depth) + ROW_HEIGHT } : undefined);
  // The tooltip sits outside the scrolling box: inside it, a tooltip below the last rows would make the
  // box overflow, its scroll bar would narrow the graph, and the new layout would take the tooltip away.
  const scrollTop = boxRef.current?.scrollTop ?? 0;
  return (
    <div class="flame-frame">
      <div class="flame" ref={boxRef} onScroll={() => setHover(undefined)}>
        <div
          class="flame-graph"
          style={{ height: `${height}px` }}
          {...pointerHandlers(layout, setHover, zoom)}
        >
          <canvas
            ref={canvasRef}
            role="img"
            aria-label={props.name}
            aria-describedby="flame-keys"
            tabIndex={0}
            style={{ width: `${width}px`, height: `${canvasHeight}px`, top: `${-canvasTop}px` }}
            onKeyDown={onKeyDown}
          />
        </div>
        <p class="sr-only" aria-live="polite">
          {selected ? describe(selected.node).join(', ') : ''}
        </p>
      </div>
      {tip ? (
        <FlameTooltip lines={describe(tip.frame.node)} x={tip.x} y={tip.y - scrollTop} width={width} />
      ) : null}
    </div>
  );
}
