// Which graphs of a recording gained names when it was symbolized again: per graph (each process frame
// under the root, or the whole tree where the stacks do not start with the process), the samples whose
// stack holds a frame without a name (`[dso]`, `[dso <address>]`, `0x…`; core/stacks/unnamed-frame.ts),
// and along the hot path (the heaviest child at every step, while it holds at least half of its parent's
// samples) how many frames have none, before and after.
// Counted from the two trees the page draws, so it says what the user sees. Pure.
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { NAMELESS_FRAME } from '../../../core/stacks/unnamed-frame.ts';
import { searchTree } from '../viewer/search-tree.ts';

/** The deepest hot path followed: stacks thousands of frames deep (DWARF unwinding) stop here. */
const MAX_HOT_PATH = 512;
/**
 * The hot path goes on into a child only while the child holds this share of its parent's samples: it ends
 * in the function where the time is, not in the interrupt or page fault that a few of its samples met.
 */
const HOT_SHARE = 0.5;

export interface GraphNaming {
  /** The process frame's name, or `all` for a tree without process frames. */
  graph: string;
  samples: number;
  /** Samples with at least one nameless frame on their stack, each counted once. */
  unnamed: number;
  /** Frames along the hot path below the graph's own frame, the nameless ones among them, and its end. */
  hotPath: { frames: number; unnamed: number; leaf: string };
}

export interface NamingChange {
  graph: string;
  /** Absent when the graph is only in the other tree. */
  before: GraphNaming | undefined;
  after: GraphNaming | undefined;
  /** Fewer samples with a nameless frame, or fewer nameless frames on the hot path, than before. */
  gained: boolean;
}

function hotPathOf(graph: FlameNode): GraphNaming['hotPath'] {
  let frames = 0;
  let unnamed = 0;
  let node = graph;
  while (node.children.length > 0 && frames < MAX_HOT_PATH) {
    let heaviest = node.children[0] as FlameNode;
    for (const child of node.children) if (child.value > heaviest.value) heaviest = child;
    if (heaviest.value < node.value * HOT_SHARE) break;
    node = heaviest;
    frames++;
    if (NAMELESS_FRAME.test(node.name)) unnamed++;
  }
  return { frames, unnamed, leaf: frames > 0 ? node.name : '' };
}

function namingOf(graph: FlameNode, name: string): GraphNaming {
  const { matched, total } = searchTree(graph, NAMELESS_FRAME);
  return { graph: name, samples: total, unnamed: matched, hotPath: hotPathOf(graph) };
}

/** Each graph of a tree: its process frames when the stacks start with the process, else the whole. */
export function graphNamings(root: FlameNode, processFrames: boolean): GraphNaming[] {
  if (!processFrames) return [namingOf(root, root.name)];
  return root.children.map((child) => namingOf(child, child.name));
}

const shareOf = (n: GraphNaming | undefined): number => (n && n.samples > 0 ? n.unnamed / n.samples : 0);

function gainedNames(before: GraphNaming | undefined, after: GraphNaming | undefined): boolean {
  if (before === undefined || after === undefined) return false;
  return shareOf(after) < shareOf(before) || after.hotPath.unnamed < before.hotPath.unnamed;
}

/** Every graph of either tree: those that gained names first (the largest drop first), then by samples. */
export function namingChanges(before: FlameNode, after: FlameNode, processFrames: boolean): NamingChange[] {
  const was = new Map(graphNamings(before, processFrames).map((n) => [n.graph, n]));
  const now = new Map(graphNamings(after, processFrames).map((n) => [n.graph, n]));
  const graphs = [...new Set([...was.keys(), ...now.keys()])];
  const changes = graphs.map((graph) => {
    const b = was.get(graph);
    const a = now.get(graph);
    return { graph, before: b, after: a, gained: gainedNames(b, a) };
  });
  const drop = (c: NamingChange) => shareOf(c.before) - shareOf(c.after);
  const samples = (c: NamingChange) => Math.max(c.before?.samples ?? 0, c.after?.samples ?? 0);
  return changes.sort(
    (x, y) =>
      Number(y.gained) - Number(x.gained) ||
      drop(y) - drop(x) ||
      samples(y) - samples(x) ||
      (x.graph < y.graph ? -1 : 1),
  );
}

/** A share in whole percent, never rounded to 0 % or 100 % when it is not quite that: `<1 %`, `>99 %`. */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0) || part <= 0) return '0 %';
  if (part >= whole) return '100 %';
  const percent = (part / whole) * 100;
  if (percent < 1) return '<1 %';
  if (percent > 99) return '>99 %';
  return `${Math.round(percent)} %`;
}
