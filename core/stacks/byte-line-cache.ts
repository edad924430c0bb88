// Parsed callchain lines keyed by their bytes, as they arrive: a line that is known costs one byte
// comparison and no string. Within a sample a frame line is mostly followed by the same caller's line
// as one of the last two times it was seen, so those two lines are compared first (the latest first);
// otherwise the line's hash is looked up.

/** The frame count of a line that is not a frame line at all (the perl script warns on it). */
export const UNRECOGNIZED = -1;

/** FNV-1a of buf[from, to). */
export function hashBytes(buf: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return h;
}

export class ByteLineCache {
  readonly #limit: number;
  // Each line's bytes, one after the other. The arrays are made large at once by default: a typed
  // array's pages are only mapped when written, and growing by copies would map each size again. A cache
  // for short inputs starts small (see the constructor).
  #arena: Uint8Array<ArrayBuffer>;
  #arenaView: DataView;
  #used = 0;
  // Per line: where its bytes start, how many, its hash, the line that followed it last time (or -1),
  // and its frame ids: pool[first, first + count), or count UNRECOGNIZED.
  #start: Int32Array<ArrayBuffer>;
  #length: Int32Array<ArrayBuffer>;
  #hash: Int32Array<ArrayBuffer>;
  #next: Int32Array<ArrayBuffer>;
  // The line that followed before `next` did (or -1): tried second, before the hash.
  #otherNext: Int32Array<ArrayBuffer>;
  #first: Int32Array<ArrayBuffer>;
  #count: Int32Array<ArrayBuffer>;
  #pool: Int32Array<ArrayBuffer>;
  #poolUsed = 0;
  // Open addressing on the hash: line + 1, or 0 when empty.
  #slots: Int32Array<ArrayBuffer>;
  #size = 0;
  #previous = -1;
  // The line hashLine found last, buf[#lineFrom, #lineEnd), and its hash: what find and add look for.
  #lineFrom = 0;
  #lineEnd = 0;
  #lineHash = 0;

  /**
   * At most `limit` lines; then the cache starts over. `initialLines` below the limit starts every table
   * small and grows it on demand: an input of a few thousand lines (a continuous profiling window) would
   * otherwise allocate about 26 MiB for each cache, and the allocation and its collection cost far more
   * than the input.
   */
  constructor(limit: number, initialLines = limit) {
    this.#limit = limit;
    const lines = Math.max(1, Math.min(limit, initialLines));
    const full = lines === limit;
    this.#arena = new Uint8Array(full ? 16 << 20 : lines * 64);
    this.#arenaView = new DataView(this.#arena.buffer);
    this.#pool = new Int32Array(full ? 1 << 20 : lines * 4);
    this.#slots = new Int32Array(full ? 1 << 16 : powerOfTwoAbove(lines * 2));
    this.#start = new Int32Array(lines);
    this.#length = new Int32Array(lines);
    this.#hash = new Int32Array(lines);
    this.#next = new Int32Array(lines);
    this.#otherNext = new Int32Array(lines);
    this.#first = new Int32Array(lines);
    this.#count = new Int32Array(lines);
  }

  /** Whether the next `add` starts the cache over (line ids are then given again from 0). */
  get full(): boolean {
    return this.#size >= this.#limit;
  }

  /** The line last matched or added. */
  get current(): number {
    return this.#previous;
  }

  /** Frame ids of all lines; a line's are pool[firstOf(line), firstOf(line) + countOf(line)). */
  get pool(): Int32Array {
    return this.#pool;
  }

  firstOf(line: number): number {
    return this.#first[line] as number;
  }

  countOf(line: number): number {
    return this.#count[line] as number;
  }

  /**
   * When the bytes at buf[from] (`view` is a DataView of `buf`) are one of the two lines that followed the
   * previous one before, up to a '\n': makes it the current line and returns the position of its '\n';
   * else -1.
   */
  matchGuess(buf: Uint8Array, view: DataView, from: number): number {
    const previous = this.#previous;
    if (previous < 0) return -1;
    const guess = this.#next[previous] as number;
    if (guess < 0) return -1;
    let end = this.#matchLine(guess, buf, view, from);
    if (end !== -1) {
      this.#previous = guess;
      return end;
    }
    const other = this.#otherNext[previous] as number;
    if (other < 0) return -1;
    end = this.#matchLine(other, buf, view, from);
    // The two take turns as the one tried first, the last seen first.
    if (end !== -1) this.#follow(other);
    return end;
  }

  /** The position of the '\n' that ends `line` when buf[from] starts it, else -1. */
  #matchLine(line: number, buf: Uint8Array, view: DataView, from: number): number {
    const end = from + (this.#length[line] as number);
    return end < buf.length && buf[end] === 10 && this.#equals(line, buf, view, from) ? end : -1;
  }

  /**
   * The position of the first '\n' at or after buf[from] (-1 when none), and the hash of the bytes
   * before it (`lineHash`) in the same pass: one JavaScript loop costs less here than Buffer#indexOf's
   * call into C++ followed by a second pass for the hash.
   */
  hashLine(buf: Uint8Array, from: number): number {
    let h = 0x811c9dc5;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i] as number;
      if (c === 10) {
        this.#lineFrom = from;
        this.#lineEnd = i;
        this.#lineHash = h;
        return i;
      }
      h = Math.imul(h ^ c, 0x01000193);
    }
    return -1;
  }

  /** The hash (hashBytes) of the line `hashLine` found last. */
  get lineHash(): number {
    return this.#lineHash;
  }

  /**
   * Finds the line `hashLine` found last (in `buf`, read through `view`) and makes it the current line;
   * false when it is not known.
   */
  find(buf: Uint8Array, view: DataView): boolean {
    const from = this.#lineFrom;
    const hash = this.#lineHash;
    const slots = this.#slots;
    const mask = slots.length - 1;
    const length = this.#lineEnd - from;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] as number;
      if (entry === 0) return false;
      const line = entry - 1;
      if (this.#hash[line] === hash && this.#length[line] === length && this.#equals(line, buf, view, from)) {
        this.#follow(line);
        return true;
      }
    }
  }

  /** Adds the line `hashLine` found last (in `buf`) with its frames (null: not a frame line) and makes it the current line. */
  add(buf: Uint8Array, frames: readonly number[] | null): void {
    const from = this.#lineFrom;
    const to = this.#lineEnd;
    const hash = this.#lineHash;
    if (this.#size >= this.#limit) this.#clear();
    const line = this.#size++;
    if (line === this.#start.length) this.#growLines();
    const length = to - from;
    if (this.#used + length > this.#arena.length) {
      this.#arena = reserveBytes(this.#arena, this.#used, length);
      this.#arenaView = new DataView(this.#arena.buffer);
    }
    this.#arena.set(buf.subarray(from, to), this.#used);
    this.#start[line] = this.#used;
    this.#used += length;
    this.#length[line] = length;
    this.#hash[line] = hash;
    this.#next[line] = -1;
    this.#otherNext[line] = -1;
    const count = frames === null ? 0 : frames.length;
    this.#pool = reserveIds(this.#pool, this.#poolUsed, count);
    this.#first[line] = this.#poolUsed;
    for (let i = 0; i < count; i++) this.#pool[this.#poolUsed++] = frames?.[i] as number;
    this.#count[line] = frames === null ? UNRECOGNIZED : count;
    this.#insert(line, hash);
    if (this.#size * 2 > this.#slots.length) this.#rehash();
    this.#follow(line);
  }

  // Eight bytes at a time, read as a double by a DataView (at any offset, in the machine's byte order):
  // two doubles compare equal exactly when their bits are equal, except NaNs (never equal, whatever
  // their bits) and +0/-0 (equal, one bit apart), so those two cases compare the bits as integers. Text
  // is neither but for rare bytes, and the loop runs an eighth as often as byte by byte (it was four
  // bytes at a time as integers: 36 ms more of the main thread's CPU on bench:collapse's input).
  #equals(line: number, buf: Uint8Array, view: DataView, from: number): boolean {
    const arena = this.#arenaView;
    const start = this.#start[line] as number;
    const length = this.#length[line] as number;
    let i = 0;
    for (; i + 8 <= length; i += 8) {
      const x = view.getFloat64(from + i, true);
      const y = arena.getFloat64(start + i, true);
      if (x === y ? x === 0 : x !== x && y !== y) {
        if (
          !sameWord(view, from + i, arena, start + i) ||
          !sameWord(view, from + i + 4, arena, start + i + 4)
        )
          return false;
      } else if (x !== y) return false;
    }
    if (i + 4 <= length) {
      if (!sameWord(view, from + i, arena, start + i)) return false;
      i += 4;
    }
    for (; i < length; i++) if (buf[from + i] !== this.#arena[start + i]) return false;
    return true;
  }

  #follow(line: number): void {
    const previous = this.#previous;
    if (previous >= 0) {
      const next = this.#next[previous] as number;
      if (next !== line) {
        this.#otherNext[previous] = next;
        this.#next[previous] = line;
      }
    }
    this.#previous = line;
  }

  #insert(line: number, hash: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = line + 1;
  }

  #rehash(): void {
    this.#slots = new Int32Array(this.#slots.length * 2);
    for (let line = 0; line < this.#size; line++) this.#insert(line, this.#hash[line] as number);
  }

  #growLines(): void {
    const size = Math.min(this.#limit, this.#start.length * 2);
    const grow = (from: Int32Array<ArrayBuffer>) => {
      const bigger = new Int32Array(size);
      bigger.set(from);
      return bigger;
    };
    this.#start = grow(this.#start);
    this.#length = grow(this.#length);
    this.#hash = grow(this.#hash);
    this.#next = grow(this.#next);
    this.#otherNext = grow(this.#otherNext);
    this.#first = grow(this.#first);
    this.#count = grow(this.#count);
  }

  #clear(): void {
    this.#size = 0;
    this.#used = 0;
    this.#poolUsed = 0;
    this.#previous = -1;
    this.#slots.fill(0);
  }
}

/** Whether the 32-bit words at a[at] and b[bt] are the same bits. */
function sameWord(a: DataView, at: number, b: DataView, bt: number): boolean {
  return a.getInt32(at, true) === b.getInt32(bt, true);
}

/** The smallest power of two of at least `n` (open addressing masks with it). */
export function powerOfTwoAbove(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/** `bytes`, or a larger copy, with room for `more` after the first `used`. */
function reserveBytes(bytes: Uint8Array<ArrayBuffer>, used: number, more: number): Uint8Array<ArrayBuffer> {
  if (used + more <= bytes.length) return bytes;
  const bigger = new Uint8Array(Math.max(bytes.length * 2, used + more));
  bigger.set(bytes);
  return bigger;
}

/** `ids`, or a larger copy, with room for `more` after the first `used`. */
function reserveIds(ids: Int32Array<ArrayBuffer>, used: number, more: number): Int32Array<ArrayBuffer> {
  if (used + more <= ids.length) return ids;
  const bigger = new Int32Array(Math.max(ids.length * 2, used + more));
  bigger.set(ids);
  return bigger;
}
