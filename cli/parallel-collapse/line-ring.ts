// What the two threads of `furnace collapse-perf`'s pipeline share (one SharedArrayBuffer): the input,
// read by the line finder into a few slots in turn, and a ring of entries, one per line, that the
// collapsing thread reads in order. A frame line the finder has seen before is only its id; the
// collapsing thread keeps each id's frames, so its share of the work is headers, new lines and the trie.

/** Entries: an id ≥ 0 is a frame line seen before; the negative kinds are followed by their fields. */
export const NEW_LINE = -1; // id, start, end: a frame line seen for the first time, at input[start, end)
export const OTHER_LINE = -2; // start, end: a line that does not start with a blank (or the last one)
export const FORGET_LINES = -3; // the finder started its line ids over from 0
export const SLOT_READ = -4; // the input slot of the lines before is no longer needed
export const INPUT_END = -5;
export const LINE_TOO_LONG = -6; // a line longer than a slot: the input is read in one pass instead

// control[]: entries written (published by the finder), entries read (published by the collapser),
// slots released, and the finder's failure (0 while none).
const WRITTEN = 0;
const READ = 1;
const RELEASED = 2;
const FAILED = 3;
// The hand-over: the finder says it is running (STARTED), the collapsing thread says where it starts
// (GO, with the byte offset at START_AT as a float64) or that it is not needed (QUIT).
const STARTED = 4;
const GO = 5;
const QUIT = 2;
const START_AT = 6; // in float64s: bytes 48-55
const CONTROL_BYTES = 64;
// Room for a few slots' entries (a 1 MiB slot of perf script text is about 15,000 lines).
const ENTRIES = 1 << 18;
const MASK = ENTRIES - 1;
// The finder publishes its entries a slot at a time, and the reader tells how far it has read only now
// and then: each wake-up of a sleeping thread costs a context switch, and on a busy machine it waits for
// a core too (a wake-up every 1,024 entries made the pipeline 2.6× slower than one pass at load 12).
const READ_PUBLISH_EVERY = 1 << 16;

export interface RingShape {
  slots: number;
  slotBytes: number;
}

export const DEFAULT_SHAPE: RingShape = { slots: 4, slotBytes: 1 << 20 };

export interface LineRing extends RingShape {
  control: Int32Array;
  entries: Int32Array;
  /** The input slots, one after the other: slot k is input[k * slotBytes, (k + 1) * slotBytes). */
  input: Buffer;
}

export function createRingBuffer(shape: RingShape): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES + ENTRIES * 4 + shape.slots * shape.slotBytes);
}

export function ringViews(shared: SharedArrayBuffer, shape: RingShape): LineRing {
  return {
    ...shape,
    control: new Int32Array(shared, 0, CONTROL_BYTES / 4),
    entries: new Int32Array(shared, CONTROL_BYTES, ENTRIES),
    input: Buffer.from(shared, CONTROL_BYTES + ENTRIES * 4, shape.slots * shape.slotBytes),
  };
}

/** The finder's end of the ring. Counters wrap at 2^32 (`| 0`); only their differences matter. */
export class EntryWriter {
  readonly #control: Int32Array;
  readonly #entries: Int32Array;
  readonly #slots: number;
  #written = 0;
  #roomUntil = ENTRIES;

  constructor(ring: LineRing) {
    this.#control = ring.control;
    this.#entries = ring.entries;
    this.#slots = ring.slots;
  }

  put(entry: number): void {
    if (this.#written === this.#roomUntil) this.#waitForRoom();
    this.#entries[this.#written & MASK] = entry;
    this.#written = (this.#written + 1) | 0;
  }

  putNew(line: number, start: number, end: number): void {
    this.put(NEW_LINE);
    this.put(line);
    this.put(start);
    this.put(end);
  }

  putOther(start: number, end: number): void {
    this.put(OTHER_LINE);
    this.put(start);
    this.put(end);
  }

  publish(): void {
    Atomics.store(this.#control, WRITTEN, this.#written);
    Atomics.notify(this.#control, WRITTEN);
  }

  /** Waits until slot fill number `fill` (counted from 0) may be read into: its last use was released. */
  waitForSlot(fill: number): void {
    const needed = fill - this.#slots + 1;
    if (needed <= 0) return;
    this.publish();
    for (let released = Atomics.load(this.#control, RELEASED); released < needed;) {
      Atomics.wait(this.#control, RELEASED, released);
      released = Atomics.load(this.#control, RELEASED);
    }
  }

  /** The finder failed: the collapsing thread stops waiting and reports it. */
  fail(): void {
    Atomics.store(this.#control, FAILED, 1);
    Atomics.notify(this.#control, WRITTEN);
  }

  #waitForRoom(): void {
    this.publish();
    for (;;) {
      const read = Atomics.load(this.#control, READ);
      if (((this.#written - read) | 0) < ENTRIES) {
        this.#roomUntil = (read + ENTRIES) | 0;
        return;
      }
      Atomics.wait(this.#control, READ, read);
    }
  }
}

/** The collapsing thread's end of the ring. */
export class EntryReader {
  readonly #control: Int32Array;
  readonly #entries: Int32Array;
  #read = 0;
  #available = 0;

  constructor(ring: LineRing) {
    this.#control = ring.control;
    this.#entries = ring.entries;
  }

  next(): number {
    if (this.#read === this.#available) this.#waitForEntries();
    const entry = this.#entries[this.#read & MASK] as number;
    this.#read = (this.#read + 1) | 0;
    // The finder may be waiting for room: tell it now and then how far this end has read.
    if ((this.#read & (READ_PUBLISH_EVERY - 1)) === 0) this.#publish();
    return entry;
  }

  /** The input slot of the lines read so far may be read into again. */
  releaseSlot(): void {
    Atomics.add(this.#control, RELEASED, 1);
    Atomics.notify(this.#control, RELEASED);
  }

  #publish(): void {
    Atomics.store(this.#control, READ, this.#read);
    Atomics.notify(this.#control, READ);
  }

  #waitForEntries(): void {
    this.#publish();
    for (;;) {
      const written = Atomics.load(this.#control, WRITTEN);
      if (written !== this.#read) {
        this.#available = written;
        return;
      }
      if (Atomics.load(this.#control, FAILED) !== 0) throw new Error('the line finder thread failed');
      Atomics.wait(this.#control, WRITTEN, written, 1000);
    }
  }
}

/** The finder: says it runs, waits to be told where to start reading; undefined: it is not needed. */
export function awaitStart(ring: LineRing): number | undefined {
  const { control } = ring;
  Atomics.store(control, STARTED, 1);
  Atomics.notify(control, STARTED);
  while (Atomics.load(control, GO) === 0) Atomics.wait(control, GO, 0);
  if (Atomics.load(control, GO) === QUIT) return undefined;
  return new Float64Array(control.buffer, 0, START_AT + 1)[START_AT];
}

/** Whether the finder is running (waiting for startFinder); waits up to `ms` for it. */
export function finderStarted(ring: LineRing, ms = 0): boolean {
  if (ms > 0) Atomics.wait(ring.control, STARTED, 0, ms);
  return Atomics.load(ring.control, STARTED) === 1;
}

/** Tells the finder to read from byte `at` on, or (undefined) that the input has been read without it. */
export function startFinder(ring: LineRing, at: number | undefined): void {
  const { control } = ring;
  if (at !== undefined) new Float64Array(control.buffer, 0, START_AT + 1)[START_AT] = at;
  Atomics.store(control, GO, at === undefined ? QUIT : 1);
  Atomics.notify(control, GO);
}
