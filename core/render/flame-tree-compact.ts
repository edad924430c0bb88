// The flame tree as a few flat arrays (the `flame-tree.json.gz` artifact), so a viewer reads a large
// recording without parsing its folded text: a string table and, per frame in depth-first order, its
// name, how far back its parent is and its own samples. Totals are not stored: a frame's total is its
// own samples plus its children's totals. The sidecar encodes; the web UI decodes, checking every
// index, since the file comes from a pod. Pure.
import { FurnaceError } from '../errors.ts';
import type { FlameNode } from './flame-tree.ts';

export const COMPACT_TREE_FORMAT = 'furnace-flame-tree';
export const COMPACT_TREE_VERSION = 1;

export interface CompactFlameTree {
  format: typeof COMPACT_TREE_FORMAT;
  version: typeof COMPACT_TREE_VERSION;
  /** Distinct frame names; the root's name is among them. */
  names: string[];
  /** Per frame in depth-first order (the root first, children in their order): index into `names`. */
  name: number[];
  /** Per frame: its index minus its parent's index (0 for the root only, 1 for a first child). */
  parent: number[];
  /** Per frame: samples in the frame itself. */
  self: number[];
}

/** The tree as flat arrays, children kept in their order (flame-tree.ts sorts them by name). */
export function encodeFlameTree(root: FlameNode): CompactFlameTree {
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const tree: CompactFlameTree = {
    format: COMPACT_TREE_FORMAT,
    version: COMPACT_TREE_VERSION,
    names,
    name: [],
    parent: [],
    self: [],
  };
  // Depth-first with an explicit stack: recordings can be deeper than the call stack allows.
  const pending: { node: FlameNode; parent: number }[] = [{ node: root, parent: -1 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const index = tree.name.length;
    let id = nameIndex.get(item.node.name);
    if (id === undefined) {
      id = names.length;
      names.push(item.node.name);
      nameIndex.set(item.node.name, id);
    }
    tree.name.push(id);
    tree.parent.push(item.parent < 0 ? 0 : index - item.parent);
    tree.self.push(item.node.self);
    const children = item.node.children;
    for (let c = children.length - 1; c >= 0; c--)
      pending.push({ node: children[c] as FlameNode, parent: index });
  }
  return tree;
}

function invalid(field: string, detail: string): FurnaceError {
  return new FurnaceError('ERR_INVALID_ARTIFACT', `flame tree ${field}: ${detail}`, { field });
}

function checkShape(value: unknown): asserts value is CompactFlameTree {
  const tree = value as Partial<CompactFlameTree> | null;
  if (typeof tree !== 'object' || tree === null) throw invalid('format', 'not an object');
  if (tree.format !== COMPACT_TREE_FORMAT || tree.version !== COMPACT_TREE_VERSION)
    throw invalid(
      'version',
      `${String(tree.format)} v${String(tree.version)} is not ${COMPACT_TREE_FORMAT} v1`,
    );
  for (const field of ['names', 'name', 'parent', 'self'] as const)
    if (!Array.isArray(tree[field])) throw invalid(field, 'not an array');
  const frames = (tree.name as unknown[]).length;
  if (frames === 0) throw invalid('name', 'no root frame');
  if ((tree.parent as unknown[]).length !== frames || (tree.self as unknown[]).length !== frames)
    throw invalid('parent', `name, parent and self differ in length (${frames} frames)`);
}

/** The decoded arrays: totals and subtree sizes computed once, frames made when first visited. */
interface Frames {
  names: readonly string[];
  name: readonly number[];
  self: readonly number[];
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

  constructor(
    private readonly frames: Frames,
    private readonly index: number,
  ) {
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

/** Checks frame `i`: its name, its samples, and that its parent is on the path to frame i - 1. */
function checkFrame(tree: CompactFlameTree, i: number, path: Int32Array, depth: number): number {
  if (typeof tree.names[tree.name[i] as number] !== 'string')
    throw invalid('name', `frame ${i} names index ${String(tree.name[i])}`);
  const own = tree.self[i];
  if (typeof own !== 'number' || !(own >= 0) || own === Infinity)
    throw invalid('self', `frame ${i} has ${String(own)} samples`);
  const back = tree.parent[i];
  if (i === 0) {
    if (back !== 0) throw invalid('parent', 'the root has a parent');
    return 0;
  }
  if (typeof back !== 'number' || !Number.isInteger(back) || back < 1 || back > i)
    throw invalid('parent', `frame ${i} has parent offset ${String(back)}`);
  // Depth-first order: the parent is frame i - 1 or one of its ancestors.
  let level = depth;
  while (level >= 0 && path[level] !== i - back) level--;
  if (level < 0)
    throw invalid('parent', `frame ${i} does not follow its parent's subtree (depth-first order)`);
  return level + 1;
}

/**
 * The flame tree of a compact one. Throws ERR_INVALID_ARTIFACT on anything that is not a tree in
 * depth-first order: a parent that is not on the path to the previous frame, a name index out of
 * range, samples that are not a number ≥ 0.
 */
export function decodeFlameTree(value: unknown): FlameNode {
  checkShape(value);
  const count = value.name.length;
  const totals = new Float64Array(count);
  const sizes = new Uint32Array(count).fill(1);
  const path = new Int32Array(count);
  let depth = 0;
  for (let i = 0; i < count; i++) {
    depth = checkFrame(value, i, path, depth);
    path[depth] = i;
    totals[i] = value.self[i] as number;
  }
  // Children come after their parent, so one backward pass adds every total and size into its parent's.
  for (let i = count - 1; i > 0; i--) {
    const parent = i - (value.parent[i] as number);
    totals[parent] = (totals[parent] as number) + (totals[i] as number);
    sizes[parent] = (sizes[parent] as number) + (sizes[i] as number);
  }
  return new CompactNode({ names: value.names, name: value.name, self: value.self, totals, sizes }, 0);
}
