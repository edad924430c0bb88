// The flame tree as a string table and three flat arrays (the `flame-tree.bin.gz` artifact), so a
// viewer reads a large recording without parsing text: per frame in depth-first order, its name, how
// far back its parent is and its own samples. Totals are not stored: a frame's total is its own samples
// plus its children's. The sidecar encodes and writes it; the web UI reads it into typed arrays without
// parsing and makes frames as it visits them, checking every index first, since the file comes from a
// pod. Pure.
//
// Layout, little-endian: "FURT", u32 version (1), u32 frames, u32 bytes of the names (a UTF-8 JSON
// array of strings), the names, zero padding to a multiple of 8, then u32 name[frames],
// u32 parent[frames], f64 self[frames]. Nothing follows.
import { FurnaceError } from '../contract/errors.ts';
import type { FlameNode } from './flame-tree.ts';

export const COMPACT_TREE_VERSION = 1;
/**
 * The most a `flame-tree.bin.gz` may inflate to: the server refuses a larger upload and the web UI
 * stops inflating there, so a gzip bomb costs no viewer more memory than this. A real tree of a large
 * recording is a few MB.
 */
export const MAX_COMPACT_TREE_BYTES = 128 * 1024 * 1024;
const MAGIC = [0x46, 0x55, 0x52, 0x54]; // "FURT"
const HEADER_BYTES = 16;

export interface CompactFlameTree {
  /** Distinct frame names; the root's name is among them. */
  names: string[];
  /** Per frame in depth-first order (the root first, children in their order): index into `names`. */
  name: Uint32Array;
  /** Per frame: its index minus its parent's index (0 for the root only, 1 for a first child). */
  parent: Uint32Array;
  /** Per frame: samples in the frame itself. */
  self: Float64Array;
}

/** The tree as flat arrays, children kept in their order (flame-tree.ts sorts them by name). */
export function encodeFlameTree(root: FlameNode): CompactFlameTree {
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const name: number[] = [];
  const parent: number[] = [];
  const self: number[] = [];
  // Depth-first with an explicit stack: recordings can be deeper than the call stack allows.
  const pending: { node: FlameNode; parent: number }[] = [{ node: root, parent: -1 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const index = name.length;
    let id = nameIndex.get(item.node.name);
    if (id === undefined) {
      id = names.length;
      names.push(item.node.name);
      nameIndex.set(item.node.name, id);
    }
    name.push(id);
    parent.push(item.parent < 0 ? 0 : index - item.parent);
    self.push(item.node.self);
    const children = item.node.children;
    for (let c = children.length - 1; c >= 0; c--)
      pending.push({ node: children[c] as FlameNode, parent: index });
  }
  return {
    names,
    name: Uint32Array.from(name),
    parent: Uint32Array.from(parent),
    self: Float64Array.from(self),
  };
}

const padded = (bytes: number): number => Math.ceil(bytes / 8) * 8;

/** The bytes of the artifact, before gzip. */
export function writeCompactTree(tree: CompactFlameTree): Uint8Array {
  const frames = tree.name.length;
  const names = new TextEncoder().encode(JSON.stringify(tree.names));
  const arrays = padded(HEADER_BYTES + names.length);
  const out = new Uint8Array(arrays + frames * 16);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, COMPACT_TREE_VERSION, true);
  view.setUint32(8, frames, true);
  view.setUint32(12, names.length, true);
  out.set(names, HEADER_BYTES);
  for (let i = 0; i < frames; i++) {
    view.setUint32(arrays + i * 4, tree.name[i] as number, true);
    view.setUint32(arrays + (frames + i) * 4, tree.parent[i] as number, true);
    view.setFloat64(arrays + frames * 8 + i * 8, tree.self[i] as number, true);
  }
  return out;
}

function invalid(field: string, detail: string): FurnaceError {
  return new FurnaceError('ERR_INVALID_ARTIFACT', `flame tree ${field}: ${detail}`, { field });
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readNames(bytes: Uint8Array): string[] {
  let names: unknown;
  try {
    names = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid('names', 'not a JSON array in UTF-8');
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
    throw invalid('names', 'not an array of strings');
  return names;
}

/** The arrays of the artifact's bytes (after gunzip), read in place where the platform allows. */
export function readCompactTree(input: Uint8Array): CompactFlameTree {
  // Typed arrays need aligned offsets; a Node Buffer may sit anywhere in its pool (copied: a Buffer's
  // slice() is a view).
  const bytes = input.byteOffset % 8 === 0 ? input : new Uint8Array(input);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_BYTES || MAGIC.some((b, i) => bytes[i] !== b))
    throw invalid('format', 'not a Furnace flame tree');
  const version = view.getUint32(4, true);
  if (version !== COMPACT_TREE_VERSION) throw invalid('version', `${version} is not ${COMPACT_TREE_VERSION}`);
  const frames = view.getUint32(8, true);
  const namesBytes = view.getUint32(12, true);
  const arrays = padded(HEADER_BYTES + namesBytes);
  if (frames === 0) throw invalid('frames', 'no root frame');
  if (bytes.length !== arrays + frames * 16)
    throw invalid(
      'frames',
      `${bytes.length} bytes do not hold ${frames} frames and ${namesBytes} bytes of names`,
    );
  const names = readNames(bytes.subarray(HEADER_BYTES, HEADER_BYTES + namesBytes));
  const at = bytes.byteOffset + arrays;
  if (LITTLE_ENDIAN)
    return {
      names,
      name: new Uint32Array(bytes.buffer, at, frames),
      parent: new Uint32Array(bytes.buffer, at + frames * 4, frames),
      self: new Float64Array(bytes.buffer, at + frames * 8, frames),
    };
  const tree = {
    names,
    name: new Uint32Array(frames),
    parent: new Uint32Array(frames),
    self: new Float64Array(frames),
  };
  for (let i = 0; i < frames; i++) {
    tree.name[i] = view.getUint32(arrays + i * 4, true);
    tree.parent[i] = view.getUint32(arrays + (frames + i) * 4, true);
    tree.self[i] = view.getFloat64(arrays + frames * 8 + i * 8, true);
  }
  return tree;
}

/** The decoded arrays: totals and subtree sizes computed once, frames made when first visited. */
export interface CompactFrames {
  names: readonly string[];
  name: Uint32Array;
  self: Float64Array;
  totals: Float64Array;
  /** Frames in the subtree of each frame, itself included: its subtree is [i, i + size). */
  sizes: Uint32Array;
}

/**
 * A frame whose children are made when first asked for, and then kept: a first draw touches only the
 * frames wide enough to see, not the hundreds of thousands a large recording has.
 */
class CompactNode implements FlameNode {
  readonly name: string;
  readonly value: number;
  readonly self: number;
  private made: FlameNode[] | undefined;

  readonly frames: CompactFrames;
  readonly index: number;

  constructor(frames: CompactFrames, index: number) {
    this.frames = frames;
    this.index = index;
    this.name = frames.names[frames.name[index] as number] as string;
    this.value = frames.totals[index] as number;
    this.self = frames.self[index] as number;
  }

  get children(): FlameNode[] {
    if (this.made) return this.made;
    const { sizes } = this.frames;
    const made: FlameNode[] = [];
    const end = this.index + (sizes[this.index] as number);
    for (let child = this.index + 1; child < end; child += sizes[child] as number)
      made.push(new CompactNode(this.frames, child));
    this.made = made;
    return made;
  }
}

/**
 * The arrays behind a frame of a decoded compact tree, and the frame's index in them (its subtree is
 * [index, index + sizes[index])); undefined for any other node. Lets a walk over the whole tree (a
 * search, the top functions) read the arrays instead of making a frame object per frame.
 */
export function compactFramesOf(node: FlameNode): { frames: CompactFrames; index: number } | undefined {
  return node instanceof CompactNode ? { frames: node.frames, index: node.index } : undefined;
}

/**
 * The flame tree of a compact one. Throws ERR_INVALID_ARTIFACT on anything that is not a tree in
 * depth-first order: a parent that is not on the path to the previous frame, a name index out of
 * range, samples that are not a number ≥ 0.
 */
export function decodeFlameTree(value: CompactFlameTree): FlameNode {
  const { names, name, parent, self } = value;
  checkFrameCounts(value);
  checkFrames(value);
  const { totals, sizes } = sumSubtrees(self, parent);
  return new CompactNode({ names, name, self, totals, sizes }, 0);
}

function checkFrameCounts({ name, parent, self }: CompactFlameTree): void {
  const count = name.length;
  if (count === 0) throw invalid('frames', 'no root frame');
  if (parent.length !== count || self.length !== count)
    throw invalid('frames', `name, parent and self differ in length (${count} frames)`);
  if (parent[0] !== 0) throw invalid('parent', 'the root has a parent');
}

/** Every name index in range, every sample count ≥ 0, every frame in depth-first order. */
function checkFrames({ names, name, parent, self }: CompactFlameTree): void {
  // One pass over plain typed arrays, no call per frame: this runs on every frame of a large
  // recording before its first draw.
  const count = name.length;
  const nameCount = names.length;
  const path = new Int32Array(count);
  let depth = 0;
  for (let i = 0; i < count; i++) {
    if ((name[i] as number) >= nameCount) throw invalid('name', `frame ${i} names index ${String(name[i])}`);
    const own = self[i] as number;
    if (!(own >= 0) || own === Infinity) throw invalid('self', `frame ${i} has ${String(own)} samples`);
    if (i === 0) continue;
    const back = parent[i] as number;
    if (back < 1 || back > i) throw invalid('parent', `frame ${i} has parent offset ${String(back)}`);
    // Depth-first order: the parent is frame i - 1 or one of its ancestors on the path.
    const up = i - back;
    while (depth >= 0 && path[depth] !== up) depth--;
    if (depth < 0)
      throw invalid('parent', `frame ${i} does not follow its parent's subtree (depth-first order)`);
    depth++;
    path[depth] = i;
  }
}

/** Each frame's total samples and subtree size, from the self samples and parent offsets. */
function sumSubtrees(self: Float64Array, parent: Uint32Array): { totals: Float64Array; sizes: Uint32Array } {
  const count = self.length;
  const totals = new Float64Array(self);
  const sizes = new Uint32Array(count).fill(1);
  // Children come after their parent, so one backward pass adds every total and size into its parent's.
  for (let i = count - 1; i > 0; i--) {
    const up = i - (parent[i] as number);
    totals[up] = (totals[up] as number) + (totals[i] as number);
    sizes[up] = (sizes[up] as number) + (sizes[i] as number);
  }
  return { totals, sizes };
}
