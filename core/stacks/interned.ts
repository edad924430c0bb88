// Folded stacks with every frame name interned once: the tables the exported formats (pprof, OTLP) are
// written from. Splitting each stack into frames and looking each frame up is most of what writing either
// format costs, so a recording exported in both is split once and both writers read the same arrays.
// Most of a stack's frames are those of an earlier stack of the same thread (the same root frame): its
// shared start is found by comparing whole prefixes with the last such stack (a binary search over where
// that stack's frames end, each step one native string comparison) and its frames are copied, so only the
// frames after it are cut out and looked up. On the bench's recording (3,501 stacks, 50 frames deep) that
// leaves about half the frames to look up in the collapser's order and 1 in 9 in sorted order (read from
// stacks.folded), in 60% and a third of the time of looking up every frame. (Hashing frames in place, without cutting each out as a string first,
// allocated less but took twice as long: V8 hashes a string faster than a loop over its characters can.)
// Pure.
import type { FoldedStacks } from './folded.ts';

export interface InternedStacks {
  /** Each distinct frame name once, in order of first appearance. */
  readonly names: readonly string[];
  /**
   * The frames of every stack one after the other, root first, as indices into `names`: 16 bits while
   * there are at most 65,536 names (a recording's few thousand, in half the memory).
   */
  readonly frames: Uint16Array | Uint32Array;
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

/**
 * How many stacks have samples, and how many frames they hold together. (Maps are walked with forEach here
 * and below: a for-of over entries makes an array per stack until the loop is optimized, about 1 MB of
 * garbage on the bench's recording when the loop runs cold, as it does once per recording.)
 */
function sizes(stacks: FoldedStacks): Sizes {
  let stackTotal = 0;
  let frameTotal = 0;
  let longest = 0;
  stacks.forEach((count, stack) => {
    if (!(count > 0)) return;
    stackTotal++;
    frameTotal++;
    if (stack.length > longest) longest = stack.length;
    for (let at = stack.indexOf(';'); at !== -1; at = stack.indexOf(';', at + 1)) frameTotal++;
  });
  return { stacks: stackTotal, frames: frameTotal, longest };
}

interface Sizes {
  stacks: number;
  frames: number;
  /** The longest stack's length in UTF-16 units: where its last frame ends. */
  longest: number;
}

const SEMICOLON = 59;

/** The tables as they fill, with where each frame ends in its stack's text. */
class Interner {
  readonly index = new Map<string, number>();
  readonly names: string[] = [];
  frames: Uint16Array | Uint32Array;
  /** Where each frame ends in its stack's text: 16 bits while every stack is shorter than 64 Ki units (half the memory). */
  readonly ends: Uint16Array | Uint32Array;
  readonly offsets: Uint32Array;
  readonly texts: string[] = [];
  /** Per root frame, the last stack that began with it. */
  readonly #lastByRoot: number[] = [];
  f = 0;

  constructor(size: Sizes) {
    this.frames = new Uint16Array(size.frames);
    this.ends = size.longest <= 0xffff ? new Uint16Array(size.frames) : new Uint32Array(size.frames);
    this.offsets = new Uint32Array(size.stacks + 1);
  }

  /** The frame ids from 16 bits to 32, for the 65,537th name. */
  #widen(): void {
    const wide = new Uint32Array(this.frames.length);
    wide.set(this.frames);
    this.frames = wide;
  }

  /** Appends the frame stack.slice(from, to), interned. */
  #push(stack: string, from: number, to: number): number {
    const name = stack.slice(from, to);
    let id = this.index.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.index.set(name, id);
      if (id === 0x10000) this.#widen();
    }
    this.frames[this.f] = id;
    this.ends[this.f++] = to;
    return id;
  }

  /** Whether `stack` begins with `text` up to where frame f ends (f is one of `text`'s frames). */
  #shares(stack: string, text: string, f: number): boolean {
    const end = this.ends[f] as number;
    return end <= stack.length && stack.slice(0, end) === text.slice(0, end);
  }

  /**
   * Copies the frames after the root that `stack` shares with stack `like`, and returns where the next
   * frame starts. A prefix that ends inside a frame name ("a;b" of "a;bc") is not a shared frame.
   * Most stacks share all of `like` but its last frame or two (in sorted order, 55% of the bench's stacks
   * share all but at most one), so the search gallops down from the end before it bisects: about 2
   * comparisons per stack there instead of 6, each of which cuts two prefixes out as strings.
   */
  #copyShared(stack: string, like: number, from: number): number {
    const text = this.texts[like] as string;
    const first = (this.offsets[like] as number) + 1;
    // The first frame not shared is in [lo, hi].
    let lo = first;
    let hi = this.offsets[like + 1] as number;
    for (let step = 1; lo < hi; step *= 2) {
      const probe = Math.max(lo, hi - step);
      if (this.#shares(stack, text, probe)) {
        lo = probe + 1;
        break;
      }
      hi = probe;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#shares(stack, text, mid)) lo = mid + 1;
      else hi = mid;
    }
    const last = this.ends[lo - 1] as number;
    if (lo > first && last !== stack.length && stack.charCodeAt(last) !== SEMICOLON) lo--;
    for (let p = first; p < lo; p++) {
      this.frames[this.f] = this.frames[p] as number;
      this.ends[this.f++] = this.ends[p] as number;
    }
    return lo > first ? (this.ends[lo - 1] as number) + 1 : from;
  }

  /** Appends stack number s. */
  add(stack: string, s: number): void {
    const rootEnd = stack.indexOf(';');
    const root = this.#push(stack, 0, rootEnd === -1 ? stack.length : rootEnd);
    let from = rootEnd === -1 ? stack.length + 1 : rootEnd + 1;
    const like = this.#lastByRoot[root];
    if (like !== undefined && from <= stack.length) from = this.#copyShared(stack, like, from);
    while (from <= stack.length) {
      const to = stack.indexOf(';', from);
      const end = to === -1 ? stack.length : to;
      this.#push(stack, from, end);
      from = end + 1;
    }
    this.texts[s] = stack;
    this.#lastByRoot[root] = s;
    this.offsets[s + 1] = this.f;
  }
}

/** Interns every frame name of the stacks that have samples. */
export function internStacks(stacks: FoldedStacks): InternedStacks {
  const size = sizes(stacks);
  const interner = new Interner(size);
  const counts = new Float64Array(size.stacks);
  let s = 0;
  stacks.forEach((count, stack) => {
    if (!(count > 0)) return;
    interner.add(stack, s);
    counts[s++] = Math.round(count);
  });
  const { names, frames, offsets, index } = interner;
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

  readonly frames: Pick<InternedStacks, 'names' | 'find'>;

  constructor(frames: Pick<InternedStacks, 'names' | 'find'>) {
    this.frames = frames;
  }

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

  /** The texts after the frame names, in table order (the table is "", the frame names, then these). */
  get extra(): readonly string[] {
    return this.#extra;
  }
}

/** Interned tables as they are, folded stacks interned first. */
export function interned(stacks: FoldedStacks | InternedStacks): InternedStacks {
  return stacks instanceof Map ? internStacks(stacks) : stacks;
}
