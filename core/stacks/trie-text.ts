// The folded text straight from the stack trie, already in code point order and already UTF-8: no
// joined stack is hashed, sorted or made a string. Below each node its children are visited in the
// order of their names, where a child's own stack (`…;name`) and the stacks below it (`…;name;…`) are
// two items sorted as `name` and `name;`. That is exact because no frame name contains ';' (the
// collapser turns it into ':'); a process name may, and then the text comes from the joined stacks.
import { compareCodePoints, foldedPieces } from './folded.ts';
import { childLists, type StackTrie } from './stack-trie.ts';

const SEMICOLON = 0x3b;

interface Level {
  /** Items: node * 2 for the node's own stack, node * 2 + 1 for the stacks below it. */
  items: number[];
  at: number;
  /** Bytes of the level's parent stack at the start of `path`, 0 for process names. */
  prefix: number;
}

/**
 * formatFolded's text as UTF-8, in pieces of about `pieceBytes`. With `reuse`, every piece is a view of
 * one buffer, overwritten when the next is asked for: for a consumer that writes each piece at once.
 * Fresh memory costs more than it seems (each new page is a fault), and the text can be tens of MB.
 */
export function trieText(trie: StackTrie, pieceBytes = 1024 * 1024, reuse = false): Generator<Buffer> {
  return pieces(trie, pieceBytes, reuse);
}

function* pieces(trie: StackTrie, pieceBytes: number, reuse: boolean): Generator<Buffer> {
  const { roots, firstChild, nextSibling } = childLists(trie);
  if (roots.some((node) => trie.nameOf(node).includes(';'))) {
    for (const piece of foldedPieces(trie.folded())) yield Buffer.from(piece, 'utf8');
    return;
  }
  const itemsOf = (first: number, siblings: Int32Array | undefined): number[] => {
    const items: number[] = [];
    for (let node = first; node !== -1; node = siblings === undefined ? -1 : (siblings[node] as number)) {
      if (trie.countOf(node) > 0) items.push(node * 2);
      if (firstChild[node] !== -1) items.push(node * 2 + 1);
    }
    return items.sort((a, b) => compareItems(trie, a, b));
  };
  // UTF-8 of each name, as plain Uint8Arrays: a Buffer's subarray goes through a slower constructor.
  const names: (Uint8Array | undefined)[] = [];
  const nameOf = (node: number): Uint8Array => {
    const id = trie.nameIdOf(node);
    return (names[id] ??= utf8(trie.nameOf(node)));
  };
  let path: Uint8Array = new Uint8Array(64 * 1024);
  let out: Buffer = Buffer.allocUnsafe(pieceBytes);
  let used = 0;
  const rootItems: number[] = [];
  for (const root of roots) rootItems.push(...itemsOf(root, undefined));
  rootItems.sort((a, b) => compareItems(trie, a, b));
  const levels: Level[] = [{ items: rootItems, at: 0, prefix: 0 }];
  for (let level = levels[0]; level !== undefined; level = levels[levels.length - 1]) {
    const item = level.items[level.at++];
    if (item === undefined) {
      levels.pop();
      continue;
    }
    const node = item >> 1;
    const name = nameOf(node);
    // The stack of this node: the parent's stack, then `;name` (or just `name` for a process).
    const length = level.prefix + (level.prefix === 0 ? 0 : 1) + name.length;
    if ((item & 1) === 1) {
      if (length > path.length) path = grown(path, length, level.prefix);
      if (level.prefix > 0) path[level.prefix] = SEMICOLON;
      put(path, length - name.length, name, name.length);
      levels.push({ items: itemsOf(firstChild[node] as number, nextSibling), at: 0, prefix: length });
      continue;
    }
    const count = ` ${trie.countOf(node)}\n`;
    if (used + length + count.length > out.length) {
      if (used > 0) yield out.subarray(0, used);
      out = nextPiece(out, reuse, Math.max(pieceBytes, length + count.length));
      used = 0;
    }
    used = put(out, used, path, level.prefix);
    if (level.prefix > 0) out[used++] = SEMICOLON;
    used = put(out, used, name, name.length);
    used += out.write(count, used, 'latin1');
  }
  if (used > 0) yield out.subarray(0, used);
}

/** The buffer for the next piece: the same one again when it may be reused and is large enough. */
function nextPiece(out: Buffer, reuse: boolean, bytes: number): Buffer {
  return reuse && out.length >= bytes ? out : Buffer.allocUnsafe(bytes);
}

function utf8(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function grown(path: Uint8Array, length: number, keep: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(length, path.length * 2));
  put(bigger, 0, path, keep);
  return bigger;
}

/** Copies source[0, length) to target at `at`; returns where it ends. Short copies in a loop: Buffer#copy costs more than it moves. */
function put(target: Uint8Array, at: number, source: Uint8Array, length: number): number {
  if (length > 64) target.set(source.subarray(0, length), at);
  else for (let i = 0; i < length; i++) target[at + i] = source[i] as number;
  return at + length;
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
