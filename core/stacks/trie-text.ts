// The folded text straight from the stack trie, already in code point order: no joined stack is
// hashed or sorted. Below each node its children are visited in the order of their names, where a
// child's own stack (`…;name`) and the stacks below it (`…;name;…`) are two items sorted as `name` and
// `name;`. That is exact because no frame name contains ';' (the collapser turns it into ':'); a
// process name may, and then the text comes from the joined stacks instead.
import { compareCodePoints, foldedPieces } from './folded.ts';
import { ROOT, type StackTrie } from './stack-trie.ts';

interface Level {
  /** Items: node * 2 for the node's own stack, node * 2 + 1 for the stacks below it. */
  items: number[];
  at: number;
  /** The joined stack of the level's parent, '' for process names. */
  prefix: string;
}

export function* trieText(trie: StackTrie, linesPerPiece = 4096): Generator<string> {
  const roots: number[] = [];
  const firstChild = new Int32Array(trie.size).fill(-1);
  const nextSibling = new Int32Array(trie.size).fill(-1);
  for (let node = trie.size - 1; node >= 0; node--) {
    const parent = trie.parentOf(node);
    if (parent === ROOT) roots.push(node);
    else {
      nextSibling[node] = firstChild[parent] as number;
      firstChild[parent] = node;
    }
  }
  if (roots.some((node) => trie.nameOf(node).includes(';'))) {
    yield* foldedPieces(trie.folded(), linesPerPiece);
    return;
  }
  const itemsOf = (nodes: Iterable<number>): number[] => {
    const items: number[] = [];
    for (const node of nodes) {
      if (trie.countOf(node) > 0) items.push(node * 2);
      if (firstChild[node] !== -1) items.push(node * 2 + 1);
    }
    return items.sort((a, b) => compareItems(trie, a, b));
  };
  function* children(node: number): Generator<number> {
    for (let child = firstChild[node] as number; child !== -1; child = nextSibling[child] as number)
      yield child;
  }
  const levels: Level[] = [{ items: itemsOf(roots), at: 0, prefix: '' }];
  let lines: string[] = [];
  for (let level = levels[0]; level !== undefined; level = levels[levels.length - 1]) {
    const item = level.items[level.at++];
    if (item === undefined) {
      levels.pop();
      continue;
    }
    const node = item >> 1;
    const key = level.prefix === '' ? trie.nameOf(node) : `${level.prefix};${trie.nameOf(node)}`;
    if ((item & 1) === 1) {
      levels.push({ items: itemsOf(children(node)), at: 0, prefix: key });
      continue;
    }
    lines.push(`${key} ${trie.countOf(node)}\n`);
    if (lines.length === linesPerPiece) {
      yield lines.join('');
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('');
}

/** Items in the order of `name` (a node's own stack) and `name;` (the stacks below it). */
function compareItems(trie: StackTrie, a: number, b: number): number {
  const x = trie.nameOf(a >> 1);
  const y = trie.nameOf(b >> 1);
  if (x === y) return (a & 1) - (b & 1);
  if (x.length < y.length && y.startsWith(x)) return (a & 1) === 0 ? -1 : 0x3b - y.charCodeAt(x.length);
  if (y.length < x.length && x.startsWith(y)) return (b & 1) === 0 ? 1 : x.charCodeAt(y.length) - 0x3b;
  return compareCodePoints(x, y);
}
