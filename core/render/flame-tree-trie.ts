// The compact flame tree (flame-tree-compact.ts) straight from the collapser's stack trie: the trie already
// merges equal frames under the same parent, so the tree is its nodes under a root named `all`, children
// in name order. No stack is joined into a string and split again, and nothing is sorted but the distinct
// names. The same arrays, in the same order, as encodeFlameTree(buildFlameTree(trie.folded())). Pure.
import { compareCodePoints } from '../stacks/folded.ts';
import { ROOT, type StackTrie } from '../stacks/stack-trie.ts';
import { buildFlameTree } from './flame-tree.ts';
import { encodeFlameTree, type CompactFlameTree } from './flame-tree-compact.ts';

const ROOT_NAME = 'all';
const SURROGATE = /[\uD800-\uDFFF]/;

type TrieNodes = ReturnType<StackTrie['nodes']>;

/** Each node's children in name order, as linked lists. */
interface SortedChildren {
  /** Per node: its first child in name order, or -1. The last index is the root `all`'s. */
  first: Int32Array;
  /** Per node: its next sibling in name order, or -1. */
  next: Int32Array;
}

/** The compact flame tree of every stack the trie counted. */
export function compactTreeOfTrie(trie: StackTrie): CompactFlameTree {
  const nodes = trie.nodes();
  const children = sortedChildren(nodes, nameRanks(trie));
  // A process name may contain ';', which the folded text splits into two frames: then the tree comes
  // from the joined stacks, as it always did.
  const { first, next } = children;
  for (let root = first[nodes.parent.length] as number; root !== -1; root = next[root] as number) {
    if (trie.nameOf(root).includes(';')) return encodeFlameTree(buildFlameTree(trie.folded()));
  }
  return walk(trie, nodes, children);
}

/** Frames in depth-first order, children in name order, names in the order first met: as encodeFlameTree. */
function walk(trie: StackTrie, nodes: TrieNodes, { first, next }: SortedChildren): CompactFlameTree {
  const size = nodes.parent.length;
  const name = new Uint32Array(size + 1);
  const parent = new Uint32Array(size + 1);
  const self = new Float64Array(size + 1);
  const frameOf = new Int32Array(size);
  // Trie name id → index in `names` + 1 (0: not met yet). A frame may be named `all` too: the root's name.
  const ids = new Int32Array(trie.nameCount);
  const rootName = trie.idOf(ROOT_NAME);
  if (rootName !== undefined) ids[rootName] = 1;
  const names = [ROOT_NAME];
  let index = 1;
  // Pre-order without a stack: down to the first child, else on to the next sibling, else up until a
  // frame has one. Stacks can be thousands of frames deep.
  let node = first[size] as number;
  while (node !== -1) {
    const up = nodes.parent[node] as number;
    const trieName = nodes.name[node] as number;
    let id = ids[trieName] as number;
    if (id === 0) id = ids[trieName] = names.push(trie.nameText(trieName));
    frameOf[node] = index;
    name[index] = id - 1;
    parent[index] = index - (up === ROOT ? 0 : (frameOf[up] as number));
    self[index] = nodes.count[node] as number;
    index++;
    let to = first[node] as number;
    for (let at = node; to === -1 && at !== ROOT; at = nodes.parent[at] as number) to = next[at] as number;
    node = to;
  }
  return { names, name, parent, self };
}

/** Children lists in name order: nodes bucketed by their name's rank, then linked from the last rank down. */
function sortedChildren(nodes: TrieNodes, rank: Int32Array): SortedChildren {
  const size = nodes.parent.length;
  const starts = new Int32Array(rank.length + 1);
  for (let node = 0; node < size; node++) {
    const at = (rank[nodes.name[node] as number] as number) + 1;
    starts[at] = (starts[at] as number) + 1;
  }
  for (let r = 1; r < starts.length; r++) starts[r] = (starts[r] as number) + (starts[r - 1] as number);
  const order = new Int32Array(size);
  for (let node = 0; node < size; node++) {
    const r = rank[nodes.name[node] as number] as number;
    const at = starts[r] as number;
    order[at] = node;
    starts[r] = at + 1;
  }
  const first = new Int32Array(size + 1).fill(-1);
  const next = new Int32Array(size).fill(-1);
  for (let at = size - 1; at >= 0; at--) {
    const node = order[at] as number;
    const up = nodes.parent[node] as number;
    const list = up === ROOT ? size : up;
    next[node] = first[list] as number;
    first[list] = node;
  }
  return { first, next };
}

/** Each name id's place in code point order. */
function nameRanks(trie: StackTrie): Int32Array {
  const count = trie.nameCount;
  const texts = Array.from({ length: count }, (_, id) => trie.nameText(id));
  const order = Array.from({ length: count }, (_, id) => id);
  // Without surrogates, JavaScript's own UTF-16 order is code point order (folded.ts). Names are distinct.
  if (texts.some((text) => SURROGATE.test(text)))
    order.sort((a, b) => compareCodePoints(texts[a] as string, texts[b] as string));
  else order.sort((a, b) => ((texts[a] as string) < (texts[b] as string) ? -1 : 1));
  const rank = new Int32Array(count);
  for (let at = 0; at < count; at++) rank[order[at] as number] = at;
  return rank;
}
