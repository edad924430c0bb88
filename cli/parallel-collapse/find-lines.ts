// The line finder of `furnace collapse-perf`'s pipeline (a worker thread): reads the input into the
// ring's slots in turn and tells the collapsing thread each line, a frame line seen before by its id
// alone. Frame lines are matched by their bytes as the one-pass collapser matches them (the lines that
// followed the previous one before, else a hash); nothing here makes a string.
import { readSync } from 'node:fs';
import { ByteLineCache } from '../../core/stacks/byte-line-cache.ts';
import {
  awaitStart,
  EntryWriter,
  FORGET_LINES,
  INPUT_END,
  LINE_TOO_LONG,
  SLOT_READ,
  type LineRing,
} from './line-ring.ts';

// As many distinct lines as the one-pass collapser keeps before it starts over.
const LINE_LIMIT = 262_144;
const NO_FRAMES: readonly number[] = [];

/** Reads `fd` through the ring, from where the collapsing thread says (awaitStart) to its end. */
export function findLines(fd: number, ring: LineRing): void {
  const out = new EntryWriter(ring);
  try {
    const at = awaitStart(ring);
    if (at !== undefined) readSlots(fd, at, ring, out);
  } catch (err) {
    // The collapsing thread waits for entries: it would wait for ever.
    out.fail();
    throw err;
  }
}

function readSlots(fd: number, from: number, ring: LineRing, out: EntryWriter): void {
  let position = from;
  const finder = new SlotScanner(new ByteLineCache(LINE_LIMIT), out);
  const { input, slotBytes } = ring;
  let carryFrom = 0;
  let carry = 0;
  for (let fill = 0; ; fill++) {
    const base = (fill % ring.slots) * slotBytes;
    out.waitForSlot(fill);
    // The line cut at the end of the previous slot, moved to the start of this one.
    if (carry > 0) input.copyWithin(base, carryFrom, carryFrom + carry);
    const n = readSync(fd, input, base + carry, slotBytes - carry, position);
    position += n;
    if (n === 0) {
      // A last line without its newline.
      if (carry > 0) out.putOther(base, base + carry);
      out.put(INPUT_END);
      break;
    }
    const length = carry + n;
    const done = finder.scan(input.subarray(base, base + length), base);
    out.put(SLOT_READ);
    out.publish();
    carry = length - done;
    carryFrom = base + done;
    if (carry === slotBytes) {
      out.put(LINE_TOO_LONG);
      break;
    }
  }
  out.publish();
}

class SlotScanner {
  readonly #cache: ByteLineCache;
  readonly #out: EntryWriter;

  constructor(cache: ByteLineCache, out: EntryWriter) {
    this.#cache = cache;
    this.#out = out;
  }

  /** Tells the whole lines of `buf` (at `base` in the ring's input); returns where the unfinished one starts. */
  scan(buf: Buffer, base: number): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const out = this.#out;
    let at = 0;
    while (at < buf.length) {
      const first = buf[at];
      let end: number;
      if (first === 9 || first === 32) end = this.#frameLine(buf, view, at, base);
      else {
        end = buf.indexOf(10, at);
        if (end !== -1) out.putOther(base + at, base + end);
      }
      if (end === -1) break;
      at = end + 1;
    }
    return at;
  }

  /** A line that starts with a blank. Returns the position of its '\n', or -1. */
  #frameLine(buf: Buffer, view: DataView, from: number, base: number): number {
    const cache = this.#cache;
    let end = cache.matchGuess(buf, view, from);
    if (end !== -1) {
      this.#out.put(cache.current);
      return end;
    }
    end = cache.hashLine(buf, from);
    if (end === -1) return -1;
    if (cache.find(buf, view)) {
      this.#out.put(cache.current);
      return end;
    }
    if (cache.full) this.#out.put(FORGET_LINES);
    cache.add(buf, NO_FRAMES);
    this.#out.putNew(cache.current, base + from, base + end);
    return end;
  }
}
