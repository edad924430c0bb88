// The samples of a perf recording in the order they were taken: per sample its thread, time, weight and
// stack. The folded stacks sum samples up; this keeps their sequence, for speedscope's Time Order view.
// Bounded: past `maxSamples` the timeline stops growing and counts what it left out (the folded stacks
// still hold every sample).

/** Samples in input order, each pointing at a thread name and a stack (a folded key). */
export interface TimedSamples {
  /** Thread names, `comm pid/tid`, by index. */
  threads: string[];
  /** Stacks as folded keys (`comm;outer;…;inner`), the same strings as the folded stacks' keys. */
  stacks: string[];
  count: number;
  thread: Int32Array;
  /** Seconds, as perf script prints them. */
  time: Float64Array;
  weight: Float64Array;
  stack: Int32Array;
  /** Samples past the limit, left out of the timeline. */
  dropped: number;
}

/** Sample timelines hold at most this many samples by default: 24 bytes each, and their speedscope stacks. */
export const DEFAULT_TIMELINE_SAMPLES = 200_000;

/** Collects samples by the collapser's trie nodes; `finish` turns nodes into folded keys. */
export class TimelineBuilder {
  readonly #max: number;
  readonly #threadIds = new Map<string, number>();
  readonly #threads: string[] = [];
  #thread = new Int32Array(1024);
  #time = new Float64Array(1024);
  #weight = new Float64Array(1024);
  #node = new Int32Array(1024);
  #count = 0;
  #dropped = 0;

  constructor(maxSamples = DEFAULT_TIMELINE_SAMPLES) {
    this.#max = maxSamples;
  }

  add(thread: string, time: number, node: number, weight: number): void {
    if (this.#count >= this.#max) {
      this.#dropped++;
      return;
    }
    if (this.#count === this.#node.length) this.#grow();
    let id = this.#threadIds.get(thread);
    if (id === undefined) {
      id = this.#threads.length;
      this.#threads.push(thread);
      this.#threadIds.set(thread, id);
    }
    const at = this.#count++;
    this.#thread[at] = id;
    this.#time[at] = time;
    this.#weight[at] = weight;
    this.#node[at] = node;
  }

  #grow(): void {
    const size = Math.min(this.#node.length * 2, this.#max);
    const thread = new Int32Array(size);
    const time = new Float64Array(size);
    const weight = new Float64Array(size);
    const node = new Int32Array(size);
    thread.set(this.#thread);
    time.set(this.#time);
    weight.set(this.#weight);
    node.set(this.#node);
    [this.#thread, this.#time, this.#weight, this.#node] = [thread, time, weight, node];
  }

  /** The timeline, with each trie node's folded key from `keyOf` (called once per distinct node). */
  finish(keyOf: (node: number) => string): TimedSamples {
    const stackIds = new Map<number, number>();
    const stacks: string[] = [];
    const stack = new Int32Array(this.#count);
    for (let i = 0; i < this.#count; i++) {
      const node = this.#node[i] as number;
      let id = stackIds.get(node);
      if (id === undefined) {
        id = stacks.length;
        stacks.push(keyOf(node));
        stackIds.set(node, id);
      }
      stack[i] = id;
    }
    return {
      threads: this.#threads,
      stacks,
      count: this.#count,
      thread: this.#thread.subarray(0, this.#count),
      time: this.#time.subarray(0, this.#count),
      weight: this.#weight.subarray(0, this.#count),
      stack,
      dropped: this.#dropped,
    };
  }
}
