// Sample header lines by their shape. A header (`comm pid/tid [cpu] time: period event:`) differs from
// the last one of the same thread only in its time, yet reading it costs a string, two regular
// expressions and the process name built again: about a microsecond for each of tens of thousands of
// samples. A header whose bytes begin with a known header's `comm pid/tid ` (what EVENT_HEADER matched)
// and end with its `: period event: ` (what EVENT_NAME matched) reads the same, whatever lies between,
// so its facts are taken from that header:
// - EVENT_HEADER is anchored at the start and matches lazily: every shorter try either failed on a byte
//   inside the known prefix (the bytes there are the same) or would have matched first, because a try
//   that reaches the prefix's last byte (a blank after digits) has matched already. Its last `\s+` is
//   greedy: the byte after the prefix must be no blank, as it was in the known header.
// - EVENT_NAME must end at the line's end with `(\S+):\s*$`: the only `:` followed by blanks alone is
//   the last one, and a match starting further left would have to cross the suffix's own `:` inside
//   `\s*(\d+)*\s+`, which cannot match a `:`. So its match starts where the known suffix starts.
// Only ASCII prefixes and suffixes are kept, so byte positions are string positions.

/** What a header decides for its sample. */
export interface HeaderFacts {
  /** The process name as the options print it. */
  pname: string;
  period: number;
  isJava: boolean;
  /** Its event is not the input's first: the sample is left out. */
  skip: boolean;
}

/**
 * Where a header lies in its buffer, buf[from, to), and the lengths of its known start (`prefixBytes`,
 * EVENT_HEADER's match) and end (`suffixBytes`, EVENT_NAME's match, to the end). A reader keeps one and
 * fills it in for each header it reads.
 */
export interface HeaderSpan {
  from: number;
  to: number;
  prefixBytes: number;
  suffixBytes: number;
}

interface Shape {
  prefix: Uint8Array;
  suffix: Uint8Array;
  facts: HeaderFacts;
}

// Keys are made from at most this many bytes at a header's start; headers kept at most.
const KEY_BYTES = 64;
const LIMIT = 4096;

export class HeaderCache {
  readonly #shapes = new Map<number, Shape>();

  /** The facts of the header buf[from, to) (without its line end) when a known header has its shape. */
  find(buf: Uint8Array, from: number, to: number): HeaderFacts | undefined {
    const key = shapeKey(buf, from, to);
    if (key === -1) return undefined;
    const shape = this.#shapes.get(key);
    return shape !== undefined && fits(shape, buf, from, to) ? shape.facts : undefined;
  }

  /** Keeps the shape of the header `span` in `buf`: its known start and end, when both are ASCII. */
  remember(buf: Uint8Array, span: HeaderSpan, facts: HeaderFacts): void {
    const { from, to, prefixBytes, suffixBytes } = span;
    const key = shapeKey(buf, from, to);
    if (key === -1 || prefixBytes + suffixBytes > to - from) return;
    if (!isAscii(buf, from, from + prefixBytes) || !isAscii(buf, to - suffixBytes, to)) return;
    if (this.#shapes.size >= LIMIT) this.#shapes.clear();
    this.#shapes.set(key, {
      prefix: buf.slice(from, from + prefixBytes),
      suffix: buf.slice(to - suffixBytes, to),
      facts,
    });
  }
}

/**
 * A hash of the header's bytes up to the end of the first run of digits after a blank (`comm pid`),
 * within its first KEY_BYTES; -1 when there is none. It only picks the shape to compare with.
 */
function shapeKey(buf: Uint8Array, from: number, to: number): number {
  const last = Math.min(to, from + KEY_BYTES);
  let h = 0x811c9dc5;
  let afterBlank = false;
  for (let i = from; i < last; i++) {
    const c = buf[i] as number;
    if (afterBlank && c >= 48 && c <= 57) {
      let j = i;
      while (j < last && (buf[j] as number) >= 48 && (buf[j] as number) <= 57) {
        h = Math.imul(h ^ (buf[j] as number), 0x01000193);
        j++;
      }
      return h >>> 0;
    }
    afterBlank = c === 32 || c === 9;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return -1;
}

function fits(shape: Shape, buf: Uint8Array, from: number, to: number): boolean {
  const { prefix, suffix } = shape;
  if (prefix.length + suffix.length > to - from) return false;
  // EVENT_HEADER's last `\s+` ended the known prefix: here too the next byte must be no blank.
  const next = buf[from + prefix.length] as number;
  if (next <= 32 || next >= 127) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[from + i] !== prefix[i]) return false;
  const start = to - suffix.length;
  for (let i = 0; i < suffix.length; i++) if (buf[start + i] !== suffix[i]) return false;
  return true;
}

function isAscii(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if ((buf[i] as number) >= 128) return false;
  return true;
}
