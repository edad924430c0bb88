// One pass over folded stacks (`comm;outer;…;inner count` per line) that keeps only what a summary or a
// comparison needs: the samples per function as a leaf (self) and anywhere on the stack (total), and
// the few heaviest whole stacks. Nothing else of the profile is kept, so a profile of 100,000 unique
// stacks costs its functions, not its stacks.
import { boundedName, MAX_NAME_CHARS } from './bounded-text.ts';

/** Function names longer than this are kept cut (two names sharing these first characters add up). */
export const MAX_KEY_CHARS = 4096;

// The collapser's name for a frame without a symbol (`[unknown]`, `[libc.so.6]`), or a bare address.
const UNNAMED_FRAME = /^(\[[^\]]*\]|0x[0-9a-f]+)$/;

export interface HeavyStack {
  /** The stack as the folded line has it (`comm;outer;…;inner`). */
  stack: string;
  samples: number;
}

export interface StackTally {
  totalSamples: number;
  uniqueStacks: number;
  /** Lines that are not blank yet hold no stack with a count. */
  invalidLines: number;
  /** Samples whose leaf frame has no name (missing symbols). */
  unnamedLeafSamples: number;
  /** Function → samples where it is the leaf. The first frame (the process) counts only alone. */
  self: Map<string, number>;
  /** Function → samples of the stacks it is on (once per stack, recursion or not). */
  total: Map<string, number>;
  /** The heaviest stacks, heaviest first (ties: stack text order). */
  heaviest: HeavyStack[];
  /** The original length of each name kept cut to MAX_KEY_CHARS (the longest seen). */
  cutLengths: Map<string, number>;
}

function heavierFirst(a: HeavyStack, b: HeavyStack): number {
  if (a.samples !== b.samples) return b.samples - a.samples;
  return a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0;
}

export class StackTallier {
  private readonly tally: StackTally = {
    totalSamples: 0,
    uniqueStacks: 0,
    invalidLines: 0,
    unnamedLeafSamples: 0,
    self: new Map(),
    total: new Map(),
    heaviest: [],
    cutLengths: new Map(),
  };
  private readonly seen = new Set<string>();

  constructor(private readonly heaviestKept: number) {}

  private keyOf(frame: string): string {
    if (frame.length <= MAX_KEY_CHARS) return frame;
    const key = frame.slice(0, MAX_KEY_CHARS);
    const lengths = this.tally.cutLengths;
    lengths.set(key, Math.max(lengths.get(key) ?? 0, frame.length));
    return key;
  }

  /** One line of folded text. */
  addLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const space = line.lastIndexOf(' ');
    const count = space > 0 ? Number(line.slice(space + 1)) : NaN;
    const stack = space > 0 ? line.slice(0, space).trimEnd() : '';
    if (!(count > 0) || !Number.isFinite(count) || stack === '') {
      if (line.trim() !== '') this.tally.invalidLines += 1;
      return;
    }
    this.addStack(stack, count);
  }

  private addStack(stack: string, count: number): void {
    const tally = this.tally;
    tally.totalSamples += count;
    tally.uniqueStacks += 1;
    const frames = stack.split(';');
    const functions = frames.length > 1 ? frames.slice(1) : frames;
    const leaf = this.keyOf(functions[functions.length - 1] ?? '');
    tally.self.set(leaf, (tally.self.get(leaf) ?? 0) + count);
    if (UNNAMED_FRAME.test(leaf)) tally.unnamedLeafSamples += count;
    this.seen.clear();
    for (const frame of functions) {
      const key = this.keyOf(frame);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      tally.total.set(key, (tally.total.get(key) ?? 0) + count);
    }
    this.keepIfHeavy(stack, count);
  }

  private keepIfHeavy(stack: string, samples: number): void {
    const heaviest = this.tally.heaviest;
    const lightest = heaviest[heaviest.length - 1];
    if (heaviest.length >= this.heaviestKept) {
      if (lightest === undefined || heavierFirst({ stack, samples }, lightest) >= 0) return;
      heaviest.pop();
    }
    heaviest.push({ stack, samples });
    heaviest.sort(heavierFirst);
  }

  result(): StackTally {
    return this.tally;
  }
}

/** A tallied name for showing: bounded, and saying how long the original was when it was kept cut. */
export function shownName(tally: StackTally, name: string): string {
  return boundedName(name, MAX_NAME_CHARS, tally.cutLengths.get(name) ?? name.length);
}

/** `[name, samples]` pairs heaviest first, ties in name order, at most `limit`. */
export function heaviestEntries(counts: Map<string, number>, limit: number): [string, number][] {
  return [...counts.entries()]
    .sort((a, b) => (a[1] !== b[1] ? b[1] - a[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit);
}
