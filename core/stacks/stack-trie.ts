import type { FoldedStacks } from './folded.ts';
// Folded stacks as a trie of interned names: a sample adds its count to one node, reached by integer
// (parent, name) lookups, instead of joining and hashing its whole `comm;outer;…;inner` string.
// The joined strings are built once per distinct stack, at the end.

/** The parent of a process name's node. */
export const ROOT = -1;

export class StackTrie {
  readonly #names: string[] = [];
  readonly #ids = new Map<string, number>();
  // Per node: its parent (ROOT for a process name), its name and its summed count.
  #parent = new Int32Array(4096);
  #name = new Int32Array(4096);
  #count = new Float64Array(4096);
  #nodes = 0;
  // Nodes in the order they were first counted, the order a Map of joined stacks would list them.
  readonly #counted: number[] = [];
  // Open addressing on (parent, name): each slot holds node + 1, or 0 when empty.
  #slots = new Int32Array(8192);

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
    const parts: string[] = [];
    for (const node of this.#counted) {
      parts.length = 0;
      for (let n = node; n !== ROOT; n = this.#parent[n] as number) {
        parts.push(this.#names[this.#name[n] as number] as string);
      }
      const key = parts.reverse().join(';');
      stacks.set(key, (stacks.get(key) ?? 0) + (this.#count[node] as number));
    }
    return stacks;
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
