// The flame graph on a canvas: frames from flame-view.ts (layoutAlongPath), names drawn as text (never markup),
// a tooltip, click to zoom, and the keyboard (arrows move, Enter zooms, Escape resets).
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fitLabel, type ViewFrame, type ViewNode } from '../../../core/render/flame-view.ts';
import type { Orientation } from '../routing/url-state.ts';
import { frameAt, groupRows, moveFrom, type Move } from './frame-rows.ts';
import { layoutAlongPath } from './zoomed-layout.ts';

export const ROW_HEIGHT = 18;
const FONT = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const MATCH_COLOR = 'rgb(230,0,230)';

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

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  // Measured before the first paint, so the graph is drawn in the same frame as the page.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(Math.floor(element.clientWidth));
    const observer = new ResizeObserver(() => setWidth(Math.floor(element.clientWidth)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

const KEY_MOVES: Record<string, { flame: Move; icicle: Move }> = {
  ArrowLeft: { flame: 'left', icicle: 'left' },
  ArrowRight: { flame: 'right', icicle: 'right' },
  ArrowUp: { flame: 'child', icicle: 'parent' },
  ArrowDown: { flame: 'parent', icicle: 'child' },
};

export function FlameCanvas<N extends ViewNode<N>>(props: FlameCanvasProps<N>) {
  const { path, orientation, colorOf, isMatch, describe } = props;
  const focus = path[path.length - 1];
  const [boxRef, width] = useWidth();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ frame: ViewFrame<N>; x: number; y: number } | undefined>(undefined);
  const [selected, setSelected] = useState<ViewFrame<N> | undefined>(undefined);
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

  // A new layout invalidates the frame objects the keyboard and the tooltip point at.
  useEffect(() => {
    setSelected(undefined);
    setHover(undefined);
  }, [view]);

  // Drawn before the browser paints: a zoom or a search shows in the same frame as its cause.
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    // Resizing reallocates the canvas: only when the size changed.
    const pixelWidth = Math.floor(width * ratio);
    const pixelHeight = Math.floor(height * ratio);
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.font = FONT;
    context.textBaseline = 'middle';
    const charWidth = context.measureText('M').width || 7;
    for (const frame of view.frames) {
      const y = yOf(frame.depth);
      context.globalAlpha = frame.ancestor ? 0.55 : 1;
      context.fillStyle = isMatch?.(frame.node) ? MATCH_COLOR : colorOf(frame.node);
      context.fillRect(frame.x, y, Math.max(frame.width - 0.5, 0.5), ROW_HEIGHT - 1);
      const label = fitLabel(frame.node.name, frame.width, charWidth);
      if (label !== '') {
        context.fillStyle = '#000';
        context.fillText(label, frame.x + 3, y + ROW_HEIGHT / 2);
      }
    }
    context.globalAlpha = 1;
    // For the benchmark and for anyone profiling the page: when a graph was last drawn.
    performance.mark('furnace-flame-drawn');
    if (selected) {
      context.lineWidth = 2;
      context.strokeStyle = '#000';
      context.strokeRect(
        selected.x + 1,
        yOf(selected.depth) + 1,
        Math.max(selected.width - 2, 1),
        ROW_HEIGHT - 3,
      );
    }
  }, [view, width, height, orientation, colorOf, isMatch, selected]);

  // Frames are in pre-order: a frame's parent is the nearest frame before it one row closer to the root.
  const zoom = (frame: ViewFrame<N>): void => {
    const path: N[] = [frame.node];
    let depth = frame.depth;
    for (let i = view.frames.indexOf(frame) - 1; i >= 0 && depth > 0; i--) {
      const before = view.frames[i] as ViewFrame<N>;
      if (before.depth === depth - 1) {
        path.unshift(before.node);
        depth -= 1;
      }
    }
    props.onZoom?.(frame.node, path);
  };

  const frameFromEvent = (event: MouseEvent): ViewFrame<N> | undefined => {
    const rect = (event.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    return frameAt(rows, depthAt(event.clientY - rect.top), event.clientX - rect.left);
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    const move = KEY_MOVES[event.key];
    const start = selected ?? view.frames.find((frame) => frame.node === focus);
    if (move && start) {
      event.preventDefault();
      setSelected(selected ? moveFrom(rows, start, move[orientation]) : start);
    } else if ((event.key === 'Enter' || event.key === ' ') && start) {
      event.preventDefault();
      zoom(start);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      props.onReset?.();
    }
  };

  const tip =
    hover ??
    (selected ? { frame: selected, x: selected.x + 8, y: yOf(selected.depth) + ROW_HEIGHT } : undefined);
  return (
    <div class="flame" ref={boxRef}>
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={props.name}
        aria-describedby="flame-keys"
        tabIndex={0}
        style={{ width: `${width}px`, height: `${height}px` }}
        onMouseMove={(event) => {
          const frame = frameFromEvent(event);
          const rect = event.currentTarget.getBoundingClientRect();
          setHover(frame ? { frame, x: event.clientX - rect.left, y: event.clientY - rect.top } : undefined);
        }}
        onMouseLeave={() => setHover(undefined)}
        onClick={(event) => {
          const frame = frameFromEvent(event);
          if (frame) zoom(frame);
        }}
        onKeyDown={onKeyDown}
      />
      {tip ? (
        <div
          class="tooltip"
          role="tooltip"
          style={{ left: `${Math.min(tip.x + 12, Math.max(width - 320, 0))}px`, top: `${tip.y + 16}px` }}
        >
          {describe(tip.frame.node).map((line, i) => (
            <div key={i} class={i === 0 ? 'tooltip-name' : undefined}>
              {line}
            </div>
          ))}
        </div>
      ) : null}
      <p class="sr-only" aria-live="polite">
        {selected ? describe(selected.node).join(', ') : ''}
      </p>
    </div>
  );
}
