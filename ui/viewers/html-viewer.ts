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

const FRAME_HEIGHT = 17;
const MATCH_BACKGROUND = 'rgb(230,0,230)';
/** Frames narrower than this many pixels are not drawn; labels need this many more. */
const MIN_WIDTH = 0.5;
const MIN_LABEL_WIDTH = 24;

function byId<E extends HTMLElement>(id: string): E {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`flame graph: no element #${id}`);
  return element as E;
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

function start(): void {
  const data = JSON.parse(byId('furnace-data').textContent ?? '') as HtmlViewerData;
  const chart = byId('chart');
  const tooltip = byId('tooltip');
  const status = byId('status');
  const matched = byId('matched');
  const resetButton = byId<HTMLButtonElement>('reset');
  const input = byId<HTMLInputElement>('search');
  const root = unpackFlameTree(data);
  const levels = treeDepth(root) + 1;
  const drawn = new Map<Element, DataNode>();
  let zoomed = root;
  let found: FlameSearch<DataNode> | undefined;

  const percent = (value: number): string => `${((100 * value) / root.value).toFixed(2)}%`;
  const label = (node: DataNode): string =>
    `${node.name} (${node.value.toLocaleString('en-US')} ${data.countName}, ${percent(node.value)})`;

  const draw = ({ node, depth, x, width, ancestor }: ViewFrame<DataNode>): void => {
    const el = document.createElement('div');
    el.className = ancestor ? 'frame faded' : 'frame';
    const row = data.inverted ? depth : levels - 1 - depth;
    el.style.left = `${x}px`;
    el.style.width = `${Math.max(width - 1, MIN_WIDTH)}px`;
    el.style.top = `${row * FRAME_HEIGHT}px`;
    el.style.background = found?.matches.has(node) ? MATCH_BACKGROUND : (data.colors[node.nameIndex] ?? '');
    if (width > MIN_LABEL_WIDTH) el.textContent = node.name;
    drawn.set(el, node);
    chart.appendChild(el);
  };

  const render = (): void => {
    chart.textContent = '';
    drawn.clear();
    chart.style.height = `${levels * FRAME_HEIGHT}px`;
    resetButton.disabled = zoomed === root;
    const view = layoutFlameView(root, { width: chart.clientWidth, minWidth: MIN_WIDTH, focus: zoomed });
    for (const frame of view.frames) draw(frame);
  };

  const hideTip = (): void => {
    tooltip.hidden = true;
    status.textContent = ' ';
  };

  const showTip = (node: DataNode, e: MouseEvent): void => {
    tooltip.textContent = label(node);
    tooltip.hidden = false;
    tooltip.style.left = `${Math.min(e.pageX + 12, document.body.clientWidth - tooltip.offsetWidth - 4)}px`;
    tooltip.style.top = `${e.pageY + 14}px`;
    status.textContent = label(node);
  };

  const search = (): void => {
    const term = input.value;
    found = undefined;
    input.classList.remove('bad');
    if (term !== '') {
      try {
        found = searchFlameTree(root, new RegExp(term));
      } catch {
        input.classList.add('bad');
      }
    }
    matched.textContent = found ? `Matched: ${(100 * found.share).toFixed(1)}%` : ' ';
    render();
  };

  const zoom = (node: DataNode): void => {
    zoomed = node;
    render();
  };

  chart.addEventListener('click', (e) => {
    const node = e.target instanceof Element ? drawn.get(e.target) : undefined;
    if (node !== undefined) zoom(node);
  });
  chart.addEventListener('mousemove', (e) => {
    const node = e.target instanceof Element ? drawn.get(e.target) : undefined;
    if (node === undefined) hideTip();
    else showTip(node, e);
  });
  chart.addEventListener('mouseleave', hideTip);
  resetButton.addEventListener('click', () => zoom(root));
  input.addEventListener('input', search);
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
      e.preventDefault();
      input.focus();
    } else if (e.key === 'Escape') {
      input.value = '';
      zoomed = root;
      search();
    }
  });
  window.addEventListener('resize', render);
  if (root.value > 0) render();
  else chart.textContent = 'No samples';
}

start();
