// Draws laid-out frames on a canvas: sized for the device's pixels, names as text (never markup),
// search matches in magenta, ancestors of the zoomed frame faded, the selected frame outlined.
import { middleEllipsis } from './middle-ellipsis.ts';
import { fitLabel, type ViewFrame } from '../../../core/render/flame-view.ts';
import { ROW_HEIGHT } from './use-flame-layout.ts';

const FONT = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const MATCH_COLOR = 'rgb(230,0,230)';

export interface FlamePaint<N> {
  /** Of the graph, in CSS pixels. */
  width: number;
  height: number;
  /** Of the canvas, in CSS pixels: the graph's height or more (rows to spare, left blank). */
  canvasHeight: number;
  /** Where the graph's top is on the canvas, in CSS pixels. */
  top: number;
  frames: readonly ViewFrame<N>[];
  /** The top of a row, in the graph's pixels. */
  yOf: (depth: number) => number;
  colorOf: (node: N) => string;
  isMatch?: ((node: N) => boolean) | undefined;
  selected: ViewFrame<N> | undefined;
}

/**
 * Resizing reallocates the canvas: only when the size changed. Cleared, and the graph's coordinates
 * set up: device pixels, and its top at `top`.
 */
function sizeCanvas<N>(context: CanvasRenderingContext2D, paint: FlamePaint<N>) {
  const { canvas } = context;
  const ratio = window.devicePixelRatio || 1;
  const pixelWidth = Math.floor(paint.width * ratio);
  const pixelHeight = Math.floor(paint.canvasHeight * ratio);
  if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
  if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, paint.width, paint.canvasHeight);
  context.translate(0, paint.top);
}

/** fitLabel's room, but a cut name keeps its end too (`std::map<…>::find`, a Java method after its class). */
function middleLabel(name: string, width: number, charWidth: number): string {
  const fitted = fitLabel(name, width, charWidth);
  return fitted === '' || fitted === name ? fitted : middleEllipsis(name, fitted.length);
}

// The canvas parses every colour it is given and the frames are thousands: the fill and the alpha are
// set only when they change, the rectangles first and the names after them in black (a name fits inside
// its frame, so the order changes no pixel).
function drawRectangles<N extends { name: string }>(context: CanvasRenderingContext2D, paint: FlamePaint<N>) {
  const { yOf, colorOf, isMatch } = paint;
  let alpha = 1;
  let fill = '';
  context.globalAlpha = alpha;
  for (const frame of paint.frames) {
    const frameAlpha = frame.ancestor ? 0.55 : 1;
    if (frameAlpha !== alpha) context.globalAlpha = alpha = frameAlpha;
    const color = isMatch?.(frame.node) ? MATCH_COLOR : colorOf(frame.node);
    if (color !== fill) context.fillStyle = fill = color;
    context.fillRect(frame.x, yOf(frame.depth), Math.max(frame.width - 0.5, 0.5), ROW_HEIGHT - 1);
  }
}

function drawNames<N extends { name: string }>(context: CanvasRenderingContext2D, paint: FlamePaint<N>) {
  context.font = FONT;
  context.textBaseline = 'middle';
  context.fillStyle = '#000';
  const charWidth = context.measureText('M').width || 7;
  let alpha = 1;
  context.globalAlpha = alpha;
  for (const frame of paint.frames) {
    const label = middleLabel(frame.node.name, frame.width, charWidth);
    if (label === '') continue;
    const frameAlpha = frame.ancestor ? 0.55 : 1;
    if (frameAlpha !== alpha) context.globalAlpha = alpha = frameAlpha;
    context.fillText(label, frame.x + 3, paint.yOf(frame.depth) + ROW_HEIGHT / 2);
  }
  context.globalAlpha = 1;
}

function outline<N>(context: CanvasRenderingContext2D, frame: ViewFrame<N>, y: number) {
  context.lineWidth = 2;
  context.strokeStyle = '#000';
  context.strokeRect(frame.x + 1, y + 1, Math.max(frame.width - 2, 1), ROW_HEIGHT - 3);
}

export function paintFlame<N extends { name: string }>(
  canvas: HTMLCanvasElement,
  paint: FlamePaint<N>,
): void {
  const context = canvas.getContext('2d');
  if (!context || paint.width === 0) return;
  sizeCanvas(context, paint);
  drawRectangles(context, paint);
  drawNames(context, paint);
  // For the benchmark and for anyone profiling the page: when a graph was last drawn.
  performance.mark('furnace-flame-drawn');
  if (paint.selected) outline(context, paint.selected, paint.yOf(paint.selected.depth));
}
