// The script of the self-contained HTML flame graph (bundled by build-viewer.ts). It reads the tree
// from the JSON block and builds the chart with createElement and textContent only: no name ever
// reaches an HTML parser. Click zooms, the button or Escape resets, the search box highlights
// matches as you type and shows their share of the samples.
import { unpackFlameTree, type DataNode, type HtmlViewerData } from '../../core/render/flame-data.ts';
import {
  layoutFlameView,
  searchFlameTree,
  type FlameSearch,
  type ViewFrame,
} from '../../core/render/flame-view.ts';
import { byId, findAndEscapeKeys, readViewerData } from './viewer-page.ts';

const FRAME_HEIGHT = 17;
const MATCH_BACKGROUND = 'rgb(230,0,230)';
/** Frames narrower than this many pixels are not drawn; labels need this many more. */
const MIN_WIDTH = 0.5;
const MIN_LABEL_WIDTH = 24;

interface ChartElements {
  chart: HTMLElement;
  tooltip: HTMLElement;
  status: HTMLElement;
  matched: HTMLElement;
  resetButton: HTMLButtonElement;
  input: HTMLInputElement;
}

/** The page's chart and what it shows now. */
interface Chart {
  data: HtmlViewerData;
  root: DataNode;
  /** Rows of the whole tree. */
  levels: number;
  elements: ChartElements;
  /** The frame elements drawn last, with their nodes. */
  drawn: Map<Element, DataNode>;
  zoomed: DataNode;
  found: FlameSearch<DataNode> | undefined;
}

function treeDepth(root: DataNode): number {
  let max = 0;
  const pending: [DataNode, number][] = [[root, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [node, depth] = item;
    if (depth > max) max = depth;
    for (const child of node.children) pending.push([child, depth + 1]);
  }
  return max;
}

function label({ data, root }: Chart, node: DataNode): string {
  const percent = `${((100 * node.value) / root.value).toFixed(2)}%`;
  return `${node.name} (${node.value.toLocaleString('en-US')} ${data.countName}, ${percent})`;
}

function drawFrame(chart: Chart, { node, depth, x, width, ancestor }: ViewFrame<DataNode>): void {
  const { data, found } = chart;
  const el = document.createElement('div');
  el.className = ancestor ? 'frame faded' : 'frame';
  const row = data.inverted ? depth : chart.levels - 1 - depth;
  el.style.left = `${x}px`;
  el.style.width = `${Math.max(width - 1, MIN_WIDTH)}px`;
  el.style.top = `${row * FRAME_HEIGHT}px`;
  el.style.background = found?.matches.has(node) ? MATCH_BACKGROUND : (data.colors[node.nameIndex] ?? '');
  if (width > MIN_LABEL_WIDTH) el.textContent = node.name;
  chart.drawn.set(el, node);
  chart.elements.chart.appendChild(el);
}

function render(chart: Chart): void {
  const { chart: element, resetButton } = chart.elements;
  element.textContent = '';
  chart.drawn.clear();
  element.style.height = `${chart.levels * FRAME_HEIGHT}px`;
  resetButton.disabled = chart.zoomed === chart.root;
  const view = layoutFlameView(chart.root, {
    width: element.clientWidth,
    minWidth: MIN_WIDTH,
    focus: chart.zoomed,
  });
  for (const frame of view.frames) drawFrame(chart, frame);
}

function hideTip({ tooltip, status }: ChartElements): void {
  tooltip.hidden = true;
  status.textContent = ' ';
}

function showTip(chart: Chart, node: DataNode, e: MouseEvent): void {
  const { tooltip, status } = chart.elements;
  tooltip.textContent = label(chart, node);
  tooltip.hidden = false;
  tooltip.style.left = `${Math.min(e.pageX + 12, document.body.clientWidth - tooltip.offsetWidth - 4)}px`;
  tooltip.style.top = `${e.pageY + 14}px`;
  status.textContent = label(chart, node);
}

function search(chart: Chart): void {
  const { input, matched } = chart.elements;
  const term = input.value;
  chart.found = undefined;
  input.classList.remove('bad');
  if (term !== '') {
    try {
      chart.found = searchFlameTree(chart.root, new RegExp(term));
    } catch {
      input.classList.add('bad');
    }
  }
  matched.textContent = chart.found ? `Matched: ${(100 * chart.found.share).toFixed(1)}%` : ' ';
  render(chart);
}

function zoom(chart: Chart, node: DataNode): void {
  chart.zoomed = node;
  render(chart);
}

function listen(chart: Chart): void {
  const { elements, drawn } = chart;
  const nodeOf = (e: Event): DataNode | undefined =>
    e.target instanceof Element ? drawn.get(e.target) : undefined;
  elements.chart.addEventListener('click', (e) => {
    const node = nodeOf(e);
    if (node !== undefined) zoom(chart, node);
  });
  elements.chart.addEventListener('mousemove', (e) => {
    const node = nodeOf(e);
    if (node === undefined) hideTip(elements);
    else showTip(chart, node, e);
  });
  elements.chart.addEventListener('mouseleave', () => hideTip(elements));
  elements.resetButton.addEventListener('click', () => zoom(chart, chart.root));
  elements.input.addEventListener('input', () => search(chart));
  const reset = (): void => {
    elements.input.value = '';
    chart.zoomed = chart.root;
    search(chart);
  };
  document.addEventListener(
    'keydown',
    findAndEscapeKeys(() => elements.input.focus(), reset),
  );
  window.addEventListener('resize', () => render(chart));
}

function start(): void {
  const data = readViewerData<HtmlViewerData>();
  const elements: ChartElements = {
    chart: byId('chart'),
    tooltip: byId('tooltip'),
    status: byId('status'),
    matched: byId('matched'),
    resetButton: byId<HTMLButtonElement>('reset'),
    input: byId<HTMLInputElement>('search'),
  };
  const root = unpackFlameTree(data);
  const chart: Chart = {
    data,
    root,
    levels: treeDepth(root) + 1,
    elements,
    drawn: new Map(),
    zoomed: root,
    found: undefined,
  };
  listen(chart);
  if (root.value > 0) render(chart);
  else elements.chart.textContent = 'No samples';
}

start();
