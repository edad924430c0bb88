// The flame tree as the renderers embed it for their viewer scripts, and back. Pure and import-free:
// the packing runs in the renderers, the unpacking in the browser.

/** [name index, value, children]: names are shared, so deep repeated stacks stay small. */
export type PackedNode = [number, number, PackedNode[]?];

export interface PackedTree {
  /** Each distinct name once; the root's name is first. */
  names: string[];
  root: PackedNode;
}

interface TreeIn {
  readonly name: string;
  readonly value: number;
  readonly children: readonly TreeIn[];
}

/** A node as the viewers hold it: `nameIndex` points into `names` and the tables that follow it. */
export interface DataNode {
  name: string;
  nameIndex: number;
  value: number;
  children: DataNode[];
}

/**
 * Packs the tree in pre-order, leaving out every node for which `keep` is false together with its
 * subtree (`keep` sees a parent before its children).
 */
export function packFlameTree<N extends TreeIn>(
  root: N,
  keep: (node: N) => boolean = () => true,
): PackedTree {
  const names: string[] = [];
  const index = new Map<string, number>();
  const pack = (node: N): PackedNode => {
    let i = index.get(node.name);
    if (i === undefined) {
      i = names.length;
      names.push(node.name);
      index.set(node.name, i);
    }
    const children = (node.children as readonly N[]).filter(keep).map(pack);
    return children.length > 0 ? [i, node.value, children] : [i, node.value];
  };
  return { names, root: pack(root) };
}

/** The tree back, children in the packed (drawing) order. */
export function unpackFlameTree(tree: PackedTree): DataNode {
  const unpack = ([i, value]: PackedNode): DataNode => ({
    name: tree.names[i] ?? '',
    nameIndex: i,
    value,
    children: [],
  });
  const root = unpack(tree.root);
  // An explicit stack: the packed tree can be deeper than the browser's call stack.
  const pending: [PackedNode, DataNode][] = [[tree.root, root]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [packed, node] = item;
    for (const child of packed[2] ?? []) {
      const unpacked = unpack(child);
      node.children.push(unpacked);
      pending.push([child, unpacked]);
    }
  }
  return root;
}

/** What an SVG flame graph embeds for its script (`#furnace-data`): the drawn frames, in document order. */
export interface SvgViewerData extends PackedTree {
  /** Image width and the padding left and right of the frames, in pixels. */
  width: number;
  xpad: number;
  /** Pixels per character of a frame label. */
  charWidth: number;
}

/** What the HTML page embeds for its viewer (`#furnace-data`): the whole tree. */
export interface HtmlViewerData extends PackedTree {
  /** A colour per name, in the order of `names`. */
  colors: string[];
  inverted: boolean;
  /** What a count is called in tooltips ("samples"). */
  countName: string;
}
