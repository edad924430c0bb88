// Folded text → the flame tree, in one pass and fast enough for the browser on 100,000 unique
// stacks: the same tree as buildFlameTree(parseFolded(text)) (core/), built without a map per node.
// Lines of the sidecar's stacks.folded come sorted, so consecutive stacks share their prefix: the
// walk reuses the previous line's nodes down to where the two differ.
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { compareCodePoints } from '../../../core/stacks/folded.ts';

interface Building extends FlameNode {
  children: Building[];
  /** Children by name, made once a node has many (out-of-order input). */
  index?: Map<string, Building>;
}

const INDEX_FROM = 12;

function childOf(parent: Building, name: string): Building {
  const last = parent.children[parent.children.length - 1];
  if (last?.name === name) return last;
  let child: Building | undefined;
  if (parent.index) child = parent.index.get(name);
  else for (const c of parent.children) if (c.name === name) child = c;
  if (child) return child;
  child = { name, value: 0, self: 0, children: [] };
  parent.children.push(child);
  if (parent.index) parent.index.set(name, child);
  else if (parent.children.length >= INDEX_FROM)
    parent.index = new Map(parent.children.map((c) => [c.name, c]));
  return child;
}

const SEMICOLON = 59;

function isCountChar(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 46;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/**
 * Where the stack of the line [start, end) ends and its count, like parseFolded's
 * `^(.*?)\s+(\d+(?:\.\d*)?)\s*$`; undefined for a line without a count or a stack.
 */
function splitCount(
  text: string,
  start: number,
  end: number,
): { stackEnd: number; count: number } | undefined {
  let i = end;
  while (i > start && isSpace(text.charCodeAt(i - 1))) i--;
  const countEnd = i;
  while (i > start && isCountChar(text.charCodeAt(i - 1))) i--;
  const countText = text.slice(i, countEnd);
  if (!/^\d+(\.\d*)?$/.test(countText) || i === start || !isSpace(text.charCodeAt(i - 1))) return undefined;
  while (i > start && isSpace(text.charCodeAt(i - 1))) i--;
  return i === start ? undefined : { stackEnd: i, count: Number(countText) };
}

export interface TreeBuilder {
  /** Adds text that may end inside a line; the rest of that line comes with the next call. */
  add(chunk: string): void;
  /** The tree of everything added; the builder is spent. */
  finish(): FlameNode;
}

/** Builds while the text arrives, so reading a large recording and building its tree overlap. */
export function createTreeBuilder(): TreeBuilder {
  const root: Building = { name: 'all', value: 0, self: 0, children: [] };
  // One string per distinct name: less memory, and its hash is computed once for every later lookup.
  const names = new Map<string, string>();
  // The previous line's frames and nodes: a shared prefix is matched in place, without new strings.
  const previous: string[] = [];
  const path: Building[] = [];
  let rest = '';

  function addLine(text: string, lineStart: number, lineEnd: number): void {
    const parsed = splitCount(text, lineStart, lineEnd);
    if (!parsed || !(parsed.count > 0)) return;
    const { stackEnd, count } = parsed;
    let pos = lineStart;
    let depth = 0;
    while (depth < previous.length) {
      const name = previous[depth] as string;
      const after = pos + name.length;
      if (!text.startsWith(name, pos) || (after !== stackEnd && text.charCodeAt(after) !== SEMICOLON)) break;
      pos = after + 1;
      depth++;
    }
    previous.length = depth;
    path.length = depth;
    while (pos <= stackEnd) {
      let next = text.indexOf(';', pos);
      if (next < 0 || next > stackEnd) next = stackEnd;
      const raw = text.slice(pos, next);
      let name = names.get(raw);
      if (name === undefined) {
        names.set(raw, raw);
        name = raw;
      }
      path.push(childOf(depth === 0 ? root : (path[depth - 1] as Building), name));
      previous.push(name);
      depth++;
      pos = next + 1;
    }
    root.value += count;
    for (const node of path) node.value += count;
    (path[path.length - 1] as Building).self += count;
  }

  return {
    add(chunk) {
      const text = rest + chunk;
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        addLine(text, start, end);
        start = end + 1;
      }
      rest = text.slice(start);
    },
    finish() {
      if (rest !== '') addLine(rest, 0, rest.length);
      rest = '';
      return finish(root);
    },
  };
}

export function buildFlameTreeFromText(text: string): FlameNode {
  const builder = createTreeBuilder();
  builder.add(text);
  return builder.finish();
}

/** Drops the build indexes and sorts children by name where the input was not sorted already. */
function finish(root: Building): FlameNode {
  const pending: Building[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    delete node.index;
    const children = node.children;
    for (let i = 1; i < children.length; i++) {
      if (compareCodePoints((children[i - 1] as Building).name, (children[i] as Building).name) > 0) {
        children.sort((a, b) => compareCodePoints(a.name, b.name));
        break;
      }
    }
    for (const child of children) pending.push(child);
  }
  return root;
}
