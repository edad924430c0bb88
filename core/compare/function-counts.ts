// Per function, the samples it ran in itself (self: the stack's last frame) and the samples with it anywhere
// on the stack (total, counted once per stack however deep it recurses). A stack's first frame is the
// process name, not a function, and is left out. One pass: consecutive stacks of a sorted folded file share
// their outer frames, and the frames of the shared prefix are not cut out again.
import type { FoldedStacks } from '../stacks/folded.ts';

export interface FunctionCounts {
  readonly names: string[];
  readonly self: Float64Array;
  readonly total: Float64Array;
  /** All samples of the profile. */
  readonly samples: number;
  /**
   * The greatest common divisor of the stacks' counts (of the lines, read from text): one sample's weight
   * when every sample has the same period. 0 without stacks, 1 when a count is not a whole number.
   */
  readonly countDivisor: number;
}

export function countFunctions(stacks: FoldedStacks): FunctionCounts {
  const counter = new Counter();
  for (const [stack, count] of stacks) counter.add(stack, 0, stack.length, count);
  return counter.counts();
}

// `stack count` with the count as parseFolded reads it; the stack may hold spaces.
const COUNT_AT_END = /\s(\d+(?:\.\d*)?)\s*$/;

/**
 * countFunctions of folded text, read in place: the same counts as countFunctions(parseFolded(text))
 * without making the map of stacks first (what the comparison of two stored recordings reads).
 */
export function countFoldedText(text: string): FunctionCounts {
  const counter = new Counter();
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // The count is the last field: find the space before it without a regular expression over the stack.
    let last = end;
    while (last > start && isSpace(text.charCodeAt(last - 1))) last--;
    let space = last - 1;
    while (space > start && !isSpace(text.charCodeAt(space))) space--;
    const match = space > start ? COUNT_AT_END.exec(text.slice(space, end)) : null;
    const count = match ? Number(match[1]) : 0;
    let stackEnd = space;
    while (stackEnd > start && isSpace(text.charCodeAt(stackEnd - 1))) stackEnd--;
    if (count > 0 && stackEnd > start) counter.add(text, start, stackEnd, count);
    start = end + 1;
  }
  return counter.counts();
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/** The greatest common divisor of a divisor so far (0 for none yet) and a count; 1 for a fraction. */
export function divisorOf(divisor: number, count: number): number {
  if (!Number.isInteger(count) || !Number.isInteger(divisor)) return 1;
  let a = divisor;
  let b = count;
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

class Counter {
  readonly #table = new FunctionTable();
  readonly #frames = new StackFrames(this.#table);
  #samples = 0;
  #stamp = 0;
  #divisor = 0;

  add(text: string, start: number, end: number, count: number): void {
    this.#samples += count;
    this.#divisor = divisorOf(this.#divisor, count);
    const stamp = ++this.#stamp;
    const ids = this.#frames.read(text, start, end);
    // ids[0] is the process name.
    for (let i = 1; i < ids.length; i++) this.#table.addTotal(ids[i] as number, count, stamp);
    if (ids.length > 1) this.#table.addSelf(ids[ids.length - 1] as number, count);
  }

  counts(): FunctionCounts {
    const table = this.#table;
    // The process names' ids stay in the table with no counts; the comparison skips names with none.
    return {
      names: table.names,
      self: table.self,
      total: table.total,
      samples: this.#samples,
      countDivisor: this.#divisor,
    };
  }
}

class FunctionTable {
  readonly names: string[] = [];
  readonly #ids = new Map<string, number>();
  self = new Float64Array(1024);
  total = new Float64Array(1024);
  // The stack that last added to a function's total, so recursion counts once per stack.
  #stamp = new Int32Array(1024);

  // A direct-mapped cache from a frame's fingerprint (length and a few characters) to its id, checked
  // against the text in place: most frames are found without cutting a string out of the stack and hashing it.
  readonly #recent = new Int32Array(1 << 16).fill(-1);

  // Per function, the id of the frame that followed it last: a caller mostly calls what it called before.
  #lastCallee = new Int32Array(1024).fill(-1);

  /** The id of the frame stack[from, end), called from function `caller` (-1 for none). */
  idAt(stack: string, from: number, end: number, caller: number): number {
    if (caller >= 0) {
      const callee = this.#lastCallee[caller] as number;
      if (callee >= 0) {
        const name = this.names[callee] as string;
        if (name.length === end - from && stack.startsWith(name, from)) return callee;
      }
    }
    const id = this.#lookUp(stack, from, end);
    if (caller >= 0) this.#lastCallee[caller] = id;
    return id;
  }

  #lookUp(stack: string, from: number, end: number): number {
    let print = end - from;
    for (let i = Math.max(from, end - 8); i < end; i++) print = (print * 31 + stack.charCodeAt(i)) | 0;
    for (let i = from; i < from + 4 && i < end; i++) print = (print * 31 + stack.charCodeAt(i)) | 0;
    const slot = (print ^ (print >>> 16)) & 0xffff;
    const cached = this.#recent[slot] as number;
    if (cached >= 0) {
      const name = this.names[cached] as string;
      if (name.length === end - from && stack.startsWith(name, from)) return cached;
    }
    const id = this.id(stack.slice(from, end));
    this.#recent[slot] = id;
    return id;
  }

  id(name: string): number {
    let id = this.#ids.get(name);
    if (id !== undefined) return id;
    id = this.names.length;
    this.names.push(name);
    this.#ids.set(name, id);
    if (id >= this.self.length) {
      this.self = grown(this.self, new Float64Array(this.self.length * 2));
      this.total = grown(this.total, new Float64Array(this.total.length * 2));
      this.#stamp = grown(this.#stamp, new Int32Array(this.#stamp.length * 2));
      this.#lastCallee = grown(this.#lastCallee, new Int32Array(this.#lastCallee.length * 2).fill(-1));
    }
    return id;
  }

  addTotal(id: number, count: number, stamp: number): void {
    if (this.#stamp[id] === stamp) return;
    this.#stamp[id] = stamp;
    this.total[id] = (this.total[id] as number) + count;
  }

  addSelf(id: number, count: number): void {
    this.self[id] = (this.self[id] as number) + count;
  }
}

/** Splits stacks into function ids, reusing the frames a stack shares with the one read before it. */
class StackFrames {
  #text = '';
  #start = 0;
  #end = 0;
  // Where each frame of the previous stack ends (an offset from its start), and its function id.
  readonly #ends: number[] = [];
  readonly #ids: number[] = [];

  private readonly table: FunctionTable;

  constructor(table: FunctionTable) {
    this.table = table;
  }

  /** The function ids of the stack text[start, end). */
  read(text: string, start: number, end: number): readonly number[] {
    const previous = this.#text;
    const offset = this.#start;
    const limit = Math.min(end - start, this.#end - offset);
    let same = 0;
    while (same < limit && text.charCodeAt(start + same) === previous.charCodeAt(offset + same)) same++;
    // A frame is shared when it ends (at its ';') inside the common prefix.
    let kept = 0;
    while (kept < this.#ends.length && (this.#ends[kept] as number) < same) kept++;
    this.#ends.length = kept;
    this.#ids.length = kept;
    for (let from = kept === 0 ? start : start + (this.#ends[kept - 1] as number) + 1; from <= end;) {
      let stop = text.indexOf(';', from);
      if (stop < 0 || stop > end) stop = end;
      this.#ends.push(stop - start);
      this.#ids.push(
        this.table.idAt(
          text,
          from,
          stop,
          this.#ids.length > 0 ? (this.#ids[this.#ids.length - 1] as number) : -1,
        ),
      );
      from = stop + 1;
    }
    this.#text = text;
    this.#start = start;
    this.#end = end;
    return this.#ids;
  }
}

function grown<T extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(from: T, to: T): T {
  to.set(from);
  return to;
}
