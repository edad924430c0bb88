// Whole-tree walks over a decoded compact tree's arrays (flame-tree-compact.ts), for the web UI on large
// recordings: a search tests the regular expression once per distinct name (thousands) rather than
// once per frame (hundreds of thousands), and neither walk makes a frame object. Same results as the
// walks over frame objects: searchFlameTree (flame-view.ts) and the UI's topFunctions. Pure.
import type { CompactFrames } from './flame-tree-compact.ts';

export interface NameSearch {
  /** Per distinct name (by index into `names`): 1 when it matches. */
  hits: Uint8Array;
  /** Samples in matching frames, each sample counted once (the outermost matching frame's total). */
  matched: number;
  /** Samples of the subtree searched. */
  total: number;
  /** matched / total, from 0 to 1; 0 when there are no samples. */
  share: number;
}

/** Names that `pattern` matches; a global or sticky pattern is tested from the start every time. */
export function matchNames(names: readonly string[], pattern: RegExp): Uint8Array {
  const hits = new Uint8Array(names.length);
  for (let id = 0; id < names.length; id++) {
    pattern.lastIndex = 0;
    if (pattern.test(names[id] as string)) hits[id] = 1;
  }
  return hits;
}

/** searchFlameTree over the subtree of frame `index` (the root: 0), the frame itself included. */
export function searchCompactFrames(frames: CompactFrames, pattern: RegExp, index = 0): NameSearch {
  const hits = matchNames(frames.names, pattern);
  const { name, totals, sizes } = frames;
  const end = index + (sizes[index] as number);
  let matched = 0;
  // Pre-order: a matching frame adds its total and its subtree is skipped (nothing in it adds more).
  for (let i = index; i < end;) {
    if (hits[name[i] as number] === 1) {
      matched += totals[i] as number;
      i += sizes[i] as number;
    } else i++;
  }
  const total = totals[index] as number;
  return { hits, matched, total, share: total > 0 ? matched / total : 0 };
}

export interface NameTotals {
  /** Per distinct name: samples in frames of that name themselves. */
  self: Float64Array;
  /** Per distinct name: samples with the name anywhere on the stack, each counted once. */
  total: Float64Array;
  /** Per distinct name: 1 when a frame other than the root has it (0 at a repeated name's later index). */
  seen: Uint8Array;
}

/** Per name index, the first index of the same string: the sidecar writes each name once, a file need not. */
function firstIndexOfNames(names: readonly string[]): Uint32Array {
  const first = new Map<string, number>();
  return Uint32Array.from(names, (text, id) => {
    const known = first.get(text);
    if (known !== undefined) return known;
    first.set(text, id);
    return id;
  });
}

/**
 * Self and total samples per name over the subtree of frame `index` (the root: 0) but that frame
 * itself, at the first index of each name. Under recursion only the outermost frame of a name adds to
 * its total. Time and memory in proportion to the subtree, not the tree: a zoom counts its frame only.
 */
export function totalsByName(frames: CompactFrames, index = 0): NameTotals {
  const { names, name: nameOf, self, totals, sizes } = frames;
  const canonical = firstIndexOfNames(names);
  const end = index + (sizes[index] as number);
  const result: NameTotals = {
    self: new Float64Array(names.length),
    total: new Float64Array(names.length),
    seen: new Uint8Array(names.length),
  };
  // How many frames of each name are on the path to the current frame, and where their subtrees end
  // (at most one open frame per frame of the subtree).
  const onPath = new Uint32Array(names.length);
  const openEnd = new Uint32Array(end - index);
  const openName = new Uint32Array(end - index);
  let open = 0;
  for (let i = index + 1; i < end; i++) {
    while (open > 0 && (openEnd[open - 1] as number) <= i) {
      open--;
      const closed = openName[open] as number;
      onPath[closed] = (onPath[closed] as number) - 1;
    }
    const id = canonical[nameOf[i] as number] as number;
    result.seen[id] = 1;
    result.self[id] = (result.self[id] as number) + (self[i] as number);
    if (onPath[id] === 0) result.total[id] = (result.total[id] as number) + (totals[i] as number);
    onPath[id] = (onPath[id] as number) + 1;
    openEnd[open] = i + (sizes[i] as number);
    openName[open] = id;
    open++;
  }
  return result;
}
