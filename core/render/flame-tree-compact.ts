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

/**
 * The flame tree of a compact one. Throws ERR_INVALID_ARTIFACT on anything that is not a tree: a
 * parent that is not an earlier frame, a name index out of range, samples that are not a number ≥ 0.
 */
export function decodeFlameTree(value: unknown): FlameNode {
  checkShape(value);
  const { names, name, parent, self } = value;
  const frames = name.length;
  const nodes: FlameNode[] = new Array<FlameNode>(frames);
  for (let i = 0; i < frames; i++) {
    const label = names[name[i] as number];
    const own = self[i] as number;
    if (typeof label !== 'string') throw invalid('name', `frame ${i} names index ${String(name[i])}`);
    if (typeof own !== 'number' || !(own >= 0) || own === Infinity)
      throw invalid('self', `frame ${i} has ${String(own)} samples`);
    const node: FlameNode = { name: label, value: own, self: own, children: [] };
    nodes[i] = node;
    const back = parent[i] as number;
    if (i === 0) {
      if (back !== 0) throw invalid('parent', 'the root has a parent');
      continue;
    }
    if (!Number.isInteger(back) || back < 1 || back > i)
      throw invalid('parent', `frame ${i} has parent offset ${String(back)}`);
    (nodes[i - back] as FlameNode).children.push(node);
  }
  // Children come after their parent, so one backward pass adds every total into its parent's.
  for (let i = frames - 1; i > 0; i--)
    (nodes[i - (parent[i] as number)] as FlameNode).value += (nodes[i] as FlameNode).value;
  return nodes[0] as FlameNode;
}
