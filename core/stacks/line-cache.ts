// Parsed callchain lines keyed by their text, with a guess at the next line. Within a sample a frame
// line is mostly followed by the same caller's line as the last time it was seen, so that line is
// checked first with one string comparison, before the line is hashed for the map.

export class LineCache<T> {
  readonly #limit: number;
  readonly #ids = new Map<string, number>();
  readonly #keys: string[] = [];
  readonly #values: T[] = [];
  // Per line: the line that followed it the last time, or -1.
  #next = new Int32Array(1024).fill(-1);
  #previous = -1;

  /** At most `limit` lines; then the cache starts over. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The value stored for `line`, or undefined (then `set` it). */
  get(line: string): T | undefined {
    const previous = this.#previous;
    if (previous >= 0) {
      const guess = this.#next[previous] as number;
      if (guess >= 0 && this.#keys[guess] === line) {
        this.#previous = guess;
        return this.#values[guess];
      }
    }
    const id = this.#ids.get(line);
    if (id === undefined) return undefined;
    if (previous >= 0) this.#next[previous] = id;
    this.#previous = id;
    return this.#values[id];
  }

  /** Stores the value of a line `get` did not know. The line gets its own flat copy. */
  set(line: string, value: T): void {
    if (this.#keys.length >= this.#limit) this.#clear();
    const id = this.#keys.length;
    const own = flatCopy(line);
    this.#keys.push(own);
    this.#values.push(value);
    this.#ids.set(own, id);
    if (id === this.#next.length) {
      const next = new Int32Array(id * 2).fill(-1);
      next.set(this.#next);
      this.#next = next;
    }
    if (this.#previous >= 0) this.#next[this.#previous] = id;
    this.#previous = id;
  }

  #clear(): void {
    this.#ids.clear();
    this.#keys.length = 0;
    this.#values.length = 0;
    this.#next.fill(-1);
    this.#previous = -1;
  }
}

/**
 * A sequential copy of `text`: it does not keep the input chunk it was sliced from alive, and the
 * comparison with each next line reads its characters directly (a slice would add an indirection).
 */
function flatCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
