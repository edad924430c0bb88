// The script inside every flame graph SVG (bundled by build-viewer.ts): the details line on hover,
// click to zoom, Reset Zoom, and Search with the matched percentage. The frames are already drawn;
// the script moves and hides them. It writes names only as textContent, never as markup.
import { unpackFlameTree, type DataNode, type SvgViewerData } from '../../core/render/flame-data.ts';
import { fitLabel, layoutFlameView, searchFlameTree } from '../../core/render/flame-view.ts';

const MATCH_FILL = 'rgb(230,0,230)';

interface Frame {
  node: DataNode;
  g: SVGGElement;
  rect: SVGRectElement;
  text: SVGTextElement;
  fill: string;
}

function byId(id: string): Element {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`flame graph: no element #${id}`);
  return element;
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

function start(): void {
  const data = JSON.parse(byId('furnace-data').textContent ?? '') as SvgViewerData;
  const container = byId('frames');
  const details = byId('details');
  const matchedText = byId('matched');
  const unzoomButton = byId('unzoom');
  const searchButton = byId('search');
  const root = unpackFlameTree(data);
  const frames = pairFrames(root, container);
  const byGroup = new Map<Element, Frame>(frames.map((f) => [f.g, f]));
  let searching = false;

  const frameAt = (target: EventTarget | null): Frame | undefined => {
    const g = target instanceof Element ? target.closest('#frames > g') : null;
    return g === null ? undefined : byGroup.get(g);
  };

  const place = (frame: Frame, x: number, width: number): void => {
    frame.rect.setAttribute('x', x.toFixed(2));
    frame.rect.setAttribute('width', width.toFixed(2));
    frame.text.setAttribute('x', (x + 3).toFixed(2));
    frame.text.textContent = fitLabel(frame.node.name, width, data.charWidth);
  };

  const zoom = (focus: DataNode): void => {
    const view = layoutFlameView(root, { width: data.width - 2 * data.xpad, focus });
    const shown = new Map(view.frames.map((f) => [f.node, f]));
    for (const frame of frames) {
      const at = shown.get(frame.node);
      frame.g.classList.toggle('hide', at === undefined);
      frame.g.classList.toggle('parent', at?.ancestor === true);
      if (at !== undefined) place(frame, data.xpad + at.x, at.width);
    }
    unzoomButton.classList.toggle('hide', focus === root);
  };

  const search = (pattern: RegExp): void => {
    const found = searchFlameTree(root, pattern);
    for (const frame of frames)
      frame.rect.setAttribute('fill', found.matches.has(frame.node) ? MATCH_FILL : frame.fill);
    searching = true;
    searchButton.classList.add('active');
    matchedText.textContent = `Matched: ${(100 * found.share).toFixed(1)}%`;
  };

  const resetSearch = (): void => {
    for (const frame of frames) frame.rect.setAttribute('fill', frame.fill);
    searching = false;
    searchButton.classList.remove('active');
    matchedText.textContent = ' ';
  };

  const askSearch = (): void => {
    const term = window.prompt('Search for (regular expression):', '');
    if (term === null || term === '') return;
    let pattern: RegExp;
    try {
      pattern = new RegExp(term);
    } catch (error) {
      window.alert(`Not a regular expression: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    search(pattern);
  };

  container.addEventListener('click', (e) => {
    const frame = frameAt(e.target);
    if (frame !== undefined) zoom(frame.node);
  });
  container.addEventListener('mouseover', (e) => {
    const frame = frameAt(e.target);
    if (frame !== undefined)
      details.textContent = `Function: ${frame.g.querySelector('title')?.textContent ?? ''}`;
  });
  container.addEventListener('mouseout', () => {
    details.textContent = ' ';
  });
  unzoomButton.addEventListener('click', () => zoom(root));
  searchButton.addEventListener('click', () => (searching ? resetSearch() : askSearch()));
  window.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
      e.preventDefault();
      askSearch();
    } else if (e.key === 'Escape') {
      resetSearch();
      zoom(root);
    }
  });
}

window.addEventListener('load', start);
