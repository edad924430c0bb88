// One pass over folded stacks (`comm;outer;…;inner count` per line) that keeps only what a summary or a
// comparison needs: the samples per function as a leaf (self) and anywhere on the stack (total), and
// the few heaviest whole stacks. Nothing else of the profile is kept, so a profile of 100,000 unique
// stacks costs its functions, not its stacks.
import { divisorOf } from '../../core/compare/function-counts.ts';
import { ROOT_FRAME } from '../../core/stacks/diagnose.ts';
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

export interface FunctionCount {
  /** Samples where it is the leaf. */
  self: number;
  /** Samples of the stacks it is on (once per stack, recursion or not). */
  total: number;
  /** The last stack that added to `total`. */
  stamp: number;
  /** A frame where a complete stack ends (main, a thread's start: core/stacks/diagnose.ts's ROOT_FRAME). */
  root: boolean;
}

export interface StackTally {
  totalSamples: number;
  uniqueStacks: number;
  /** Lines that are not blank yet hold no stack with a count. */
  invalidLines: number;
  /** Samples whose leaf frame has no name (missing symbols). */
  unnamedLeafSamples: number;
  /** Samples whose stack reaches no root frame (main, a thread's start): cut short, most often by missing frame pointers. */
  cutShortSamples: number;
  /** The greatest common divisor of the stacks' counts (0 without stacks): one sample's weight when counts are fixed periods. */
  countDivisor: number;
  /** Per function; the first frame (the process) counts only in a stack of it alone. */
  functions: Map<string, FunctionCount>;
  /** The heaviest stacks, heaviest first (ties: stack text order). */
  heaviest: HeavyStack[];
  /** The original length of each name kept cut to MAX_KEY_CHARS (the longest seen). */
  cutLengths: Map<string, number>;
}

/**
 * A copy of `text` that holds nothing else: a substring can keep the whole text it was cut from alive
 * (the 64 KiB piece of the download it came in), which a key kept in a map must not.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
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
    cutShortSamples: 0,
    countDivisor: 0,
    functions: new Map(),
    heaviest: [],
    cutLengths: new Map(),
  };

  private readonly heaviestKept: number;

  constructor(heaviestKept: number) {
    this.heaviestKept = heaviestKept;
  }

  /** One line of folded text. */
  addLine(line: string): void {
    let end = line.length;
    while (end > 0 && (line.charCodeAt(end - 1) === 13 || line.charCodeAt(end - 1) === 32)) end--;
    const space = line.lastIndexOf(' ', end - 1);
    const count = space > 0 ? Number(line.slice(space + 1, end)) : NaN;
    if (!(count > 0) || !Number.isFinite(count)) {
      if (line.trim() !== '') this.tally.invalidLines += 1;
      return;
    }
    let stackEnd = space;
    while (stackEnd > 0 && line.charCodeAt(stackEnd - 1) === 32) stackEnd--;
    if (stackEnd === 0) this.tally.invalidLines += 1;
    else this.addStack(line, stackEnd, count);
  }

  private counter(frame: string): FunctionCount {
    const name = frame.length > MAX_KEY_CHARS ? frame.slice(0, MAX_KEY_CHARS) : frame;
    let found = this.tally.functions.get(name);
    if (found === undefined) {
      found = { self: 0, total: 0, stamp: 0, root: ROOT_FRAME.test(name) };
      this.tally.functions.set(detached(name), found);
    }
    if (frame.length > MAX_KEY_CHARS) {
      const lengths = this.tally.cutLengths;
      lengths.set(detached(name), Math.max(lengths.get(name) ?? 0, frame.length));
    }
    return found;
  }

  /**
   * The frames of `line` up to `end`, the first (the process) left out unless it is alone. A sorted
   * folded file's consecutive stacks share their outer frames: those found for the previous line are
   * reused while the text is the same, so most frames cost a character comparison, not a lookup.
   */
  private addStack(line: string, end: number, count: number): void {
    const tally = this.tally;
    tally.totalSamples += count;
    tally.uniqueStacks += 1;
    tally.countDivisor = divisorOf(tally.countDivisor, count);
    const stamp = tally.uniqueStacks;
    const frames = this.framesOf(line, end);
    let rooted = false;
    for (const counter of frames) {
      rooted ||= counter.root;
      if (counter.stamp === stamp) continue;
      counter.stamp = stamp;
      counter.total += count;
    }
    if (!rooted) tally.cutShortSamples += count;
    const leaf = frames[frames.length - 1];
    if (leaf === undefined) return;
    leaf.self += count;
    const leafStart =
      frames.length > 1 ? (this.previous.ends[frames.length - 2] ?? -1) + 1 : this.previous.start;
    if (UNNAMED_FRAME.test(line.slice(leafStart, end))) tally.unnamedLeafSamples += count;
    this.keepIfHeavy(line, end, count);
  }

  private readonly previous = {
    line: '',
    end: 0,
    start: 0,
    ends: [] as number[],
    counters: [] as FunctionCount[],
  };

  /** The counters of the frames of `line` (after the process), reusing the previous line's shared ones. */
  private framesOf(line: string, end: number): FunctionCount[] {
    const previous = this.previous;
    const first = line.indexOf(';');
    const start = first < 0 || first >= end ? 0 : first + 1;
    const limit = Math.min(end, previous.end);
    let same = 0;
    if (start === previous.start)
      while (same < limit && line.charCodeAt(same) === previous.line.charCodeAt(same)) same++;
    let kept = 0;
    while (kept < previous.ends.length && (previous.ends[kept] as number) < same) kept++;
    previous.ends.length = kept;
    previous.counters.length = kept;
    for (let from = kept === 0 ? start : (previous.ends[kept - 1] as number) + 1; from <= end;) {
      let to = line.indexOf(';', from);
      if (to < 0 || to > end) to = end;
      previous.ends.push(to);
      previous.counters.push(this.counter(line.slice(from, to)));
      from = to + 1;
    }
    previous.line = line;
    previous.end = end;
    previous.start = start;
    return previous.counters;
  }

  private keepIfHeavy(line: string, end: number, samples: number): void {
    const heaviest = this.tally.heaviest;
    if (this.heaviestKept === 0) return;
    const lightest = heaviest[heaviest.length - 1];
    if (heaviest.length >= this.heaviestKept && lightest !== undefined && samples < lightest.samples) return;
    const candidate = { stack: line.slice(0, end), samples };
    if (heaviest.length >= this.heaviestKept) {
      if (lightest === undefined || heavierFirst(candidate, lightest) >= 0) return;
      heaviest.pop();
    }
    heaviest.push({ stack: detached(candidate.stack), samples });
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

/** `[name, samples]` pairs of one count heaviest first, ties in name order, at most `limit`. */
export function heaviestEntries(tally: StackTally, of: 'self' | 'total', limit: number): [string, number][] {
  const entries: [string, number][] = [];
  for (const [name, count] of tally.functions) if (count[of] > 0) entries.push([name, count[of]]);
  return entries
    .sort((a, b) => (a[1] !== b[1] ? b[1] - a[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit);
}
