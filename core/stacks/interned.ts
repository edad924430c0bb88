// Folded stacks with every frame name interned once: the tables the exported formats (pprof, OTLP) are
// written from. Splitting each stack into frames and looking each frame up is most of what writing either
// format costs, so a recording exported in both is split once and both writers read the same arrays.
// (Hashing frames in place, without cutting each out as a string first, allocated less but took twice as
// long here: V8 hashes a string faster than a loop over its characters can.) Pure.
import type { FoldedStacks } from './folded.ts';

export interface InternedStacks {
  /** Each distinct frame name once, in order of first appearance. */
  readonly names: readonly string[];
  /** The frames of every stack one after the other, root first, as indices into `names`. */
  readonly frames: Uint32Array;
  /** Stack i's frames are frames[offsets[i]] up to frames[offsets[i + 1]]; one more entry than stacks. */
  readonly offsets: Uint32Array;
  /** Stack i's sample count, rounded to a whole number; stacks without a positive count are left out. */
  readonly counts: Float64Array;
  /** The index of a frame name in `names`, if it is one. */
  find(name: string): number | undefined;
}

/** The number of stacks in the tables. */
export function stackCount(interned: InternedStacks): number {
  return interned.counts.length;
}

/** How many stacks have samples, and how many frames they hold together. */
function sizes(stacks: FoldedStacks): { stacks: number; frames: number } {
  let stackTotal = 0;
  let frameTotal = 0;
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    stackTotal++;
    frameTotal++;
    for (let at = stack.indexOf(';'); at !== -1; at = stack.indexOf(';', at + 1)) frameTotal++;
  }
  return { stacks: stackTotal, frames: frameTotal };
}

/** Interns every frame name of the stacks that have samples. */
export function internStacks(stacks: FoldedStacks): InternedStacks {
  const index = new Map<string, number>();
  const names: string[] = [];
  const size = sizes(stacks);
  const frames = new Uint32Array(size.frames);
  const offsets = new Uint32Array(size.stacks + 1);
  const counts = new Float64Array(size.stacks);
  let f = 0;
  let s = 0;
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    for (let from = 0; ;) {
      const to = stack.indexOf(';', from);
      const name = to === -1 ? stack.slice(from) : stack.slice(from, to);
      let id = index.get(name);
      if (id === undefined) {
        id = names.length;
        names.push(name);
        index.set(name, id);
      }
      frames[f++] = id;
      if (to === -1) break;
      from = to + 1;
    }
    counts[s++] = Math.round(count);
    offsets[s] = f;
  }
  return { names, frames, offsets, counts, find: (name) => index.get(name) };
}

/**
 * The string table both exported formats use: "" first (pprof and OTLP both require it), then the frame
 * names (frame i is string i + 1, as it is location and function i + 1), then any other text as asked for,
 * each text once.
 */
export class ProfileStrings {
  readonly #extra: string[] = [];
  readonly #index = new Map<string, number>();

  constructor(readonly frames: Pick<InternedStacks, 'names' | 'find'>) {}

  of(value: string): number {
    const frame = this.frames.find(value);
    if (frame !== undefined) return frame + 1;
    let index = this.#index.get(value);
    if (index === undefined) {
      index = 1 + this.frames.names.length + this.#extra.length;
      this.#extra.push(value);
      this.#index.set(value, index);
    }
    return index;
  }

  /** Every text in table order. */
  *texts(): Generator<string> {
    yield '';
    yield* this.frames.names;
    yield* this.#extra;
  }
}

/** Interned tables as they are, folded stacks interned first. */
export function interned(stacks: FoldedStacks | InternedStacks): InternedStacks {
  return stacks instanceof Map ? internStacks(stacks) : stacks;
}
