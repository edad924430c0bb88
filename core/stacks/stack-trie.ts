import { powerOfTwoAbove } from './byte-line-cache.ts';
import type { FoldedStacks } from './folded.ts';
// Folded stacks as a trie of interned names: a sample adds its count to one node, reached by integer
// (parent, name) lookups, instead of joining and hashing its whole `comm;outer;…;inner` string.
// The joined strings are built once per distinct stack, at the end.

/** The parent of a process name's node. */
export const ROOT = -1;

const NODES = 1 << 20;

/** A trie as plain data, to be sent to another thread (the typed arrays can be transferred). */
export interface TrieData {
  names: string[];
  parent: Int32Array<ArrayBuffer>;
  name: Int32Array<ArrayBuffer>;
  count: Float64Array<ArrayBuffer>;
  counted: Int32Array<ArrayBuffer>;
}

export class StackTrie {
  readonly #names: string[] = [];
  readonly #ids = new Map<string, number>();
  // Per node: its parent (ROOT for a process name), its name and its summed count. Made large at once by
  // default: the pages of a typed array are only mapped when written, and growing by copies maps each
  // size again. A trie for a short input starts small (the constructor).
  #parent: Int32Array<ArrayBuffer>;
  #name: Int32Array<ArrayBuffer>;
  #count: Float64Array<ArrayBuffer>;
  // Per node: the child found last (+ 1), tried before the hash: samples mostly share their outer frames.
  #lastChild: Int32Array<ArrayBuffer>;
  #nodes = 0;
  // Nodes in the order they were first counted, the order a Map of joined stacks would list them.
  readonly #counted: number[] = [];
  // Joined stacks already made (keyOf): the folded stacks and the timeline name the same stacks.
  readonly #keys = new Map<number, string>();
  // Open addressing on (parent, name): each slot holds node + 1, or 0 when empty.
  #slots: Int32Array<ArrayBuffer>;

  /** Room for `initialNodes` nodes at first; it grows past them either way. */
  constructor(initialNodes = NODES) {
    const nodes = Math.max(1, initialNodes);
    this.#parent = new Int32Array(nodes);
    this.#name = new Int32Array(nodes);
    this.#count = new Float64Array(nodes);
    this.#lastChild = new Int32Array(nodes);
    this.#slots = new Int32Array(Math.min(1 << 16, powerOfTwoAbove(nodes * 2)));
  }

  /** The id of a name, the same for equal strings. A new name gets its own copy (see detach). */
  intern(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.length;
      const own = detach(name);
      this.#names.push(own);
      this.#ids.set(own, id);
    }
    return id;
  }

  /** The node of name id `name` below `parent` (ROOT for a process name), made on first use. */
  child(parent: number, name: number): number {
    if (parent !== ROOT) {
      const last = (this.#lastChild[parent] as number) - 1;
      if (last >= 0 && this.#name[last] === name) return last;
    }
    const node = this.#find(parent, name);
    if (parent !== ROOT) this.#lastChild[parent] = node + 1;
    return node;
  }

  #find(parent: number, name: number): number {
    const mask = this.#slots.length - 1;
    for (let slot = hash(parent, name) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot] as number;
      if (entry === 0) return this.#add(slot, parent, name);
      const node = entry - 1;
      if (this.#name[node] === name && this.#parent[node] === parent) return node;
    }
  }

  /** Adds `count` samples to the stack that ends at `node`. */
  count(node: number, count: number): void {
    const before = this.#count[node] as number;
    if (before === 0) this.#counted.push(node);
    this.#count[node] = before + count;
  }

  /** How many nodes there are; node ids run from 0 to size - 1, parents before their children. */
  get size(): number {
    return this.#nodes;
  }

  parentOf(node: number): number {
    return this.#parent[node] as number;
  }

  nameOf(node: number): string {
    return this.#names[this.#name[node] as number] as string;
  }

  /** How many distinct names there are; name ids run from 0 to nameCount - 1. */
  get nameCount(): number {
    return this.#names.length;
  }

  /** The id of a name already interned, else undefined. */
  idOf(name: string): number | undefined {
    return this.#ids.get(name);
  }

  /** The text of a name id. */
  nameText(id: number): string {
    return this.#names[id] as string;
  }

  /** The id of the node's name: equal names, equal ids. */
  nameIdOf(node: number): number {
    return this.#name[node] as number;
  }

  /** The samples of the stack that ends at `node` (0 when it is only a prefix of others). */
  countOf(node: number): number {
    return this.#count[node] as number;
  }

  /** `comm;outer;…;inner` → count, in first-counted order; stacks that join to the same text add up. */
  folded(): FoldedStacks {
    const stacks: FoldedStacks = new Map();
    for (const node of this.#counted) {
      const key = this.keyOf(node);
      stacks.set(key, (stacks.get(key) ?? 0) + (this.#count[node] as number));
    }
    return stacks;
  }

  /** The joined stack `comm;outer;…;inner` that ends at `node`, joined once per node. */
  keyOf(node: number): string {
    let key = this.#keys.get(node);
    if (key === undefined) {
      const parts: string[] = [];
      for (let n = node; n !== ROOT; n = this.#parent[n] as number) {
        parts.push(this.#names[this.#name[n] as number] as string);
      }
      key = parts.reverse().join(';');
      this.#keys.set(node, key);
    }
    return key;
  }

  /**
   * Per node, its parent, name id and count, as views of the trie's own arrays (no copy): for a walk over
   * every node. Valid until the trie grows again.
   */
  nodes(): { parent: Int32Array; name: Int32Array; count: Float64Array } {
    const nodes = this.#nodes;
    return {
      parent: this.#parent.subarray(0, nodes),
      name: this.#name.subarray(0, nodes),
      count: this.#count.subarray(0, nodes),
    };
  }

  /** The trie as plain data; it stays usable. */
  data(): TrieData {
    const nodes = this.#nodes;
    return {
      names: this.#names,
      parent: this.#parent.slice(0, nodes),
      name: this.#name.slice(0, nodes),
      count: this.#count.slice(0, nodes),
      counted: Int32Array.from(this.#counted),
    };
  }

  /** Adds every stack of a trie (as `data` gave it) to this one. */
  absorb(other: TrieData): void {
    const ids = other.names.map((name) => this.intern(name));
    const nodes = new Int32Array(other.parent.length);
    for (let node = 0; node < nodes.length; node++) {
      const parent = other.parent[node] as number;
      const name = ids[other.name[node] as number] as number;
      nodes[node] = this.child(parent === ROOT ? ROOT : (nodes[parent] as number), name);
    }
    for (const node of other.counted) this.count(nodes[node] as number, other.count[node] as number);
  }

  #add(slot: number, parent: number, name: number): number {
    const node = this.#nodes++;
    if (node === this.#parent.length) this.#growNodes();
    this.#parent[node] = parent;
    this.#name[node] = name;
    this.#slots[slot] = node + 1;
    // At most half full, so probe runs stay short.
    if (this.#nodes * 2 > this.#slots.length) this.#rehash();
    return node;
  }

  #growNodes(): void {
    const size = this.#parent.length * 2;
    const parent = new Int32Array(size);
    parent.set(this.#parent);
    const name = new Int32Array(size);
    name.set(this.#name);
    const count = new Float64Array(size);
    count.set(this.#count);
    const lastChild = new Int32Array(size);
    lastChild.set(this.#lastChild);
    this.#lastChild = lastChild;
    this.#parent = parent;
    this.#name = name;
    this.#count = count;
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let node = 0; node < this.#nodes; node++) {
      let slot = hash(this.#parent[node] as number, this.#name[node] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = node + 1;
    }
    this.#slots = slots;
  }
}

/** Each node's first child and next sibling (children in node order), and the process names' nodes. */
export function childLists(trie: StackTrie): {
  roots: number[];
  firstChild: Int32Array;
  nextSibling: Int32Array;
} {
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
  return { roots, firstChild, nextSibling };
}

function hash(parent: number, name: number): number {
  const h = Math.imul(parent ^ Math.imul(name, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

/**
 * A copy of `text` that does not keep a larger string alive: a slice of a big input chunk refers to
 * the whole chunk. Flattening a concatenation copies the characters; the slice then refers to that copy.
 */
export function detach(text: string): string {
  return (' ' + text).slice(1);
}
