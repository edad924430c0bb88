// The script inside every flame graph SVG (bundled by build-viewer.ts): the details line on hover,
// click to zoom, Reset Zoom, and Search with the matched percentage. The frames are already drawn;
// the script moves and hides them. It writes names only as textContent, never as markup.
import { unpackFlameTree, type DataNode, type SvgViewerData } from '../../core/render/flame-data.ts';
import { fitLabel, layoutFlameView, searchFlameTree } from '../../core/render/flame-view.ts';
import { byId, findAndEscapeKeys, readViewerData } from './viewer-page.ts';

const MATCH_FILL = 'rgb(230,0,230)';

interface Frame {
  node: DataNode;
  g: SVGGElement;
  rect: SVGRectElement;
  text: SVGTextElement;
  fill: string;
}

interface GraphElements {
  container: Element;
  details: Element;
  matchedText: Element;
  unzoomButton: Element;
  searchButton: Element;
}

/** The SVG's frames paired with the tree, and whether a search is highlighted. */
interface Graph {
  data: SvgViewerData;
  root: DataNode;
  frames: Frame[];
  byGroup: Map<Element, Frame>;
  elements: GraphElements;
  searching: boolean;
}

function preOrder(root: DataNode): DataNode[] {
  const out: DataNode[] = [];
  const pending = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i] as DataNode);
  }
  return out;
}

/** The frame elements paired with the tree: both are in pre-order, as the renderer wrote them. */
function pairFrames(root: DataNode, container: Element): Frame[] {
  const groups = container.querySelectorAll<SVGGElement>(':scope > g');
  if (groups.length === 0) return []; // no samples, or nothing wide enough to draw
  const nodes = preOrder(root);
  if (groups.length !== nodes.length) throw new Error('flame graph: frames and data differ');
  return nodes.map((node, i) => {
    const g = groups[i] as SVGGElement;
    const rect = g.querySelector('rect');
    const text = g.querySelector('text');
    if (rect === null || text === null) throw new Error('flame graph: a frame without rect or text');
    return { node, g, rect, text, fill: rect.getAttribute('fill') ?? '' };
  });
}

function frameAt(graph: Graph, target: EventTarget | null): Frame | undefined {
  const g = target instanceof Element ? target.closest('#frames > g') : null;
  return g === null ? undefined : graph.byGroup.get(g);
}

function place(graph: Graph, frame: Frame, x: number, width: number): void {
  frame.rect.setAttribute('x', x.toFixed(2));
  frame.rect.setAttribute('width', width.toFixed(2));
  frame.text.setAttribute('x', (x + 3).toFixed(2));
  frame.text.textContent = fitLabel(frame.node.name, width, graph.data.charWidth);
}

function zoom(graph: Graph, focus: DataNode): void {
  const { data, root } = graph;
  const view = layoutFlameView(root, { width: data.width - 2 * data.xpad, focus });
  const shown = new Map(view.frames.map((f) => [f.node, f]));
  for (const frame of graph.frames) {
    const at = shown.get(frame.node);
    frame.g.classList.toggle('hide', at === undefined);
    frame.g.classList.toggle('parent', at?.ancestor === true);
    if (at !== undefined) place(graph, frame, data.xpad + at.x, at.width);
  }
  graph.elements.unzoomButton.classList.toggle('hide', focus === root);
}

function search(graph: Graph, pattern: RegExp): void {
  const found = searchFlameTree(graph.root, pattern);
  for (const frame of graph.frames)
    frame.rect.setAttribute('fill', found.matches.has(frame.node) ? MATCH_FILL : frame.fill);
  graph.searching = true;
  graph.elements.searchButton.classList.add('active');
  graph.elements.matchedText.textContent = `Matched: ${(100 * found.share).toFixed(1)}%`;
}

function resetSearch(graph: Graph): void {
  for (const frame of graph.frames) frame.rect.setAttribute('fill', frame.fill);
  graph.searching = false;
  graph.elements.searchButton.classList.remove('active');
  graph.elements.matchedText.textContent = ' ';
}

function askSearch(graph: Graph): void {
  const term = window.prompt('Search for (regular expression):', '');
  if (term === null || term === '') return;
  let pattern: RegExp;
  try {
    pattern = new RegExp(term);
  } catch (error) {
    window.alert(`Not a regular expression: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  search(graph, pattern);
}

function listen(graph: Graph): void {
  const { container, details, unzoomButton, searchButton } = graph.elements;
  container.addEventListener('click', (e) => {
    const frame = frameAt(graph, e.target);
    if (frame !== undefined) zoom(graph, frame.node);
  });
  container.addEventListener('mouseover', (e) => {
    const frame = frameAt(graph, e.target);
    if (frame !== undefined)
      details.textContent = `Function: ${frame.g.querySelector('title')?.textContent ?? ''}`;
  });
  container.addEventListener('mouseout', () => {
    details.textContent = ' ';
  });
  unzoomButton.addEventListener('click', () => zoom(graph, graph.root));
  searchButton.addEventListener('click', () => (graph.searching ? resetSearch(graph) : askSearch(graph)));
  window.addEventListener(
    'keydown',
    findAndEscapeKeys(
      () => askSearch(graph),
      () => {
        resetSearch(graph);
        zoom(graph, graph.root);
      },
    ),
  );
}

function start(): void {
  const data = readViewerData<SvgViewerData>();
  const elements: GraphElements = {
    container: byId<Element>('frames'),
    details: byId<Element>('details'),
    matchedText: byId<Element>('matched'),
    unzoomButton: byId<Element>('unzoom'),
    searchButton: byId<Element>('search'),
  };
  const root = unpackFlameTree(data);
  const frames = pairFrames(root, elements.container);
  const byGroup = new Map<Element, Frame>(frames.map((f) => [f.g, f]));
  listen({ data, root, frames, byGroup, elements, searching: false });
}

window.addEventListener('load', start);
