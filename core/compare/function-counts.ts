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
}

export function countFunctions(stacks: FoldedStacks): FunctionCounts {
  const table = new FunctionTable();
  const frames = new StackFrames(table);
  let samples = 0;
  let stamp = 0;
  for (const [stack, count] of stacks) {
    samples += count;
    stamp += 1;
    const ids = frames.read(stack);
    // ids[0] is the process name.
    for (let i = 1; i < ids.length; i++) table.addTotal(ids[i] as number, count, stamp);
    if (ids.length > 1) table.addSelf(ids[ids.length - 1] as number, count);
  }
  // The process names' ids stay in the table with no counts; the comparison skips names with none.
  return { names: table.names, self: table.self, total: table.total, samples };
}

class FunctionTable {
  readonly names: string[] = [];
  readonly #ids = new Map<string, number>();
  self = new Float64Array(1024);
  total = new Float64Array(1024);
  // The stack that last added to a function's total, so recursion counts once per stack.
  #stamp = new Int32Array(1024);

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
  #previous = '';
  // Where each frame of the previous stack ends, and its function id.
  readonly #ends: number[] = [];
  readonly #ids: number[] = [];

  constructor(private readonly table: FunctionTable) {}

  read(stack: string): readonly number[] {
    const previous = this.#previous;
    const limit = Math.min(stack.length, previous.length);
    let same = 0;
    while (same < limit && stack.charCodeAt(same) === previous.charCodeAt(same)) same++;
    // A frame is shared when it ends (at its ';') inside the common prefix.
    let kept = 0;
    while (kept < this.#ends.length && (this.#ends[kept] as number) < same) kept++;
    this.#ends.length = kept;
    this.#ids.length = kept;
    for (let from = kept === 0 ? 0 : (this.#ends[kept - 1] as number) + 1; from <= stack.length;) {
      let end = stack.indexOf(';', from);
      if (end < 0) end = stack.length;
      this.#ends.push(end);
      this.#ids.push(this.table.id(stack.slice(from, end)));
      from = end + 1;
    }
    this.#previous = stack;
    return this.#ids;
  }
}

function grown<T extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(from: T, to: T): T {
  to.set(from);
  return to;
}
