// Folded stacks → an interactive SVG flame graph in the manner of flamegraph.pl.
import { escapeXml, jsonForScript } from './escape.ts';
import { packFlameTree, type SvgViewerData } from './flame-data.ts';
import { buildFlameTree, layoutFlameTree, type FlameFrame } from './flame-tree.ts';
import { fitLabel } from './flame-view.ts';
import { formatCount } from './format-count.ts';
import { backgroundFor, colorFor, type PaletteName } from './palette.ts';
import { SVG_VIEWER_SCRIPT } from './viewer-bundle.generated.ts';
import type { FoldedStacks } from '../stacks/folded.ts';

export { formatCount };

export interface FlameGraphOptions {
  /** Default "Flame Graph", or "Icicle Graph" when inverted. */
  title?: string;
  subtitle?: string;
  /** Image width in pixels (default 1200). */
  width?: number;
  /** Palette (default `hot`). */
  colors?: PaletteName;
  /** Icicle graph: roots at the top. */
  inverted?: boolean;
  /** Frames narrower than this many pixels are left out (default 0.1). */
  minWidth?: number;
  /** What a count is called in tooltips (default "samples"). */
  countName?: string;
}

const FRAME_HEIGHT = 16;
const FONT_SIZE = 12;
const FONT_WIDTH = 0.59;
const XPAD = 10;

/** What every frame of one graph is drawn with, made once per graph. */
interface Geometry {
  width: number;
  height: number;
  top: number;
  inverted: boolean;
  /** The root's count: a frame's share is its count over this. */
  total: number;
  palette: PaletteName;
  countName: string;
}

export function renderFlameGraphSvg(stacks: FoldedStacks, options: FlameGraphOptions = {}): string {
  const width = Math.max(100, Math.round(options.width ?? 1200));
  const inverted = options.inverted === true;
  const palette = options.colors ?? 'hot';
  const countName = options.countName ?? 'samples';
  const title = options.title ?? (inverted ? 'Icicle Graph' : 'Flame Graph');
  const tree = buildFlameTree(stacks);
  const layout = layoutFlameTree(tree, width, options.minWidth ?? 0.1, XPAD);
  const top = FONT_SIZE * 3 + (options.subtitle ? FONT_SIZE * 2 : 0);
  const bottom = FONT_SIZE * 2 + 10;
  const height = (layout.maxDepth + 1) * FRAME_HEIGHT + top + bottom;
  const [bg1, bg2] = backgroundFor(palette);
  const geometry: Geometry = { width, height, top, inverted, total: layout.total, palette, countName };
  // The script pairs the data with the <g> elements in document order: pack exactly the drawn frames.
  const drawn = new Set(layout.frames.map((f) => f.node));
  const data: SvgViewerData = {
    ...packFlameTree(tree, (node) => drawn.has(node)),
    width,
    xpad: XPAD,
    charWidth: FONT_SIZE * FONT_WIDTH,
  };
  const out: string[] = [
    '<?xml version="1.0" standalone="no"?>',
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
    `<svg version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">`,
    '<!-- Flame graph rendered by Furnace. Click a frame to zoom, Ctrl-F or Search to highlight. -->',
    `<defs><linearGradient id="background" y1="0" y2="1" x1="0" x2="0"><stop stop-color="${bg1}" offset="5%"/><stop stop-color="${bg2}" offset="95%"/></linearGradient></defs>`,
    `<style type="text/css"><![CDATA[${STYLE}]]></style>`,
    // Both in CDATA: the JSON has no `>` (jsonForScript escapes it) and the bundle is checked for `]]>`.
    `<script type="application/json" id="furnace-data"><![CDATA[${jsonForScript(data)}]]></script>`,
    `<script type="text/ecmascript"><![CDATA[${SVG_VIEWER_SCRIPT}]]></script>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="url(#background)"/>`,
    `<text id="title" x="${width / 2}" y="${FONT_SIZE * 2}">${escapeXml(title)}</text>`,
  ];
  if (options.subtitle) {
    out.push(
      `<text id="subtitle" x="${width / 2}" y="${FONT_SIZE * 4}">${escapeXml(options.subtitle)}</text>`,
    );
  }
  out.push(
    `<text id="details" x="${XPAD}" y="${height - FONT_SIZE / 2}"> </text>`,
    `<text id="unzoom" class="hide" x="${XPAD}" y="${FONT_SIZE * 2}">Reset Zoom</text>`,
    `<text id="search" x="${width - XPAD - 100}" y="${FONT_SIZE * 2}">Search</text>`,
    `<text id="matched" x="${width - XPAD - 100}" y="${height - FONT_SIZE / 2}"> </text>`,
    '<g id="frames">',
  );
  if (layout.total === 0) {
    out.push(`<text x="${width / 2}" y="${top + FRAME_HEIGHT}" text-anchor="middle">No samples</text>`);
  }
  for (const frame of layout.frames) out.push(renderFrame(frame, geometry));
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}

function renderFrame(frame: FlameFrame, g: Geometry): string {
  const { node, depth, x, width } = frame;
  const y = g.inverted
    ? g.top + depth * FRAME_HEIGHT
    : g.height - (FONT_SIZE * 2 + 10) - (depth + 1) * FRAME_HEIGHT + 1;
  const pct = ((100 * node.value) / g.total).toFixed(2);
  const tooltip = `${node.name} (${formatCount(node.value)} ${g.countName}, ${pct}%)`;
  const fill = depth === 0 ? 'rgb(220,220,220)' : colorFor(g.palette, node.name);
  return (
    `<g><title>${escapeXml(tooltip)}</title>` +
    `<rect x="${x.toFixed(2)}" y="${y}" width="${width.toFixed(2)}" height="${FRAME_HEIGHT - 1}" fill="${fill}" rx="2" ry="2"/>` +
    `<text x="${(x + 3).toFixed(2)}" y="${y + 11}">${escapeXml(fitName(node.name, width))}</text></g>`
  );
}

/** The name cut to what fits in the frame, with ".." when cut; empty when under three characters fit. */
export function fitName(name: string, width: number): string {
  return fitLabel(name, width, FONT_SIZE * FONT_WIDTH);
}

const STYLE = [
  'text { font-family: Verdana, sans-serif; font-size: 12px; fill: rgb(0,0,0); }',
  '#title { text-anchor: middle; font-size: 17px; }',
  '#subtitle { text-anchor: middle; fill: rgb(160,160,160); }',
  '#search, #unzoom { cursor: pointer; opacity: 0.6; }',
  '#search:hover, #search.active, #unzoom:hover { opacity: 1; }',
  '#frames > g { cursor: pointer; }',
  '#frames > g:hover > rect { stroke: black; stroke-width: 0.5; }',
  '#frames text { pointer-events: none; }',
  '.hide { display: none; }',
  '.parent { opacity: 0.5; }',
].join(' ');
