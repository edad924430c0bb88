// Where a perf script file can be cut into parts that collapse apart and add up to the whole: right
// after a blank line, where a sample has ended and the next has not begun, so no state crosses the cut.
import { readSync } from 'node:fs';

/** How far past each even cut a blank line is looked for; a part without one is joined to the next. */
const WINDOW = 1024 * 1024;

/**
 * The byte ranges of up to `parts` parts of the file `fd` of `size` bytes, in order, covering it all.
 * The first part is `firstShare` of the size of the others: the thread that reads it also adds the
 * parts up and writes the text.
 */
export function splitAtSamples(
  fd: number,
  size: number,
  parts: number,
  firstShare = 1,
): { start: number; end: number }[] {
  const cuts = [0];
  const window = Buffer.allocUnsafe(WINDOW);
  const unit = size / (parts - 1 + firstShare);
  for (let i = 1; i < parts; i++) {
    const even = Math.floor(unit * (firstShare + i - 1));
    const previous = cuts[cuts.length - 1] as number;
    if (even <= previous) continue;
    const n = readSync(fd, window, 0, WINDOW, even);
    const after = afterBlankLine(window.subarray(0, n));
    if (after !== -1 && even + after < size) cuts.push(even + after);
  }
  cuts.push(size);
  return cuts.slice(1).map((end, i) => ({ start: cuts[i] as number, end }));
}

/** The position just after the first blank line ('\n\n' or '\n\r\n') in `bytes`, or -1. */
export function afterBlankLine(bytes: Uint8Array): number {
  for (let nl = bytes.indexOf(10); nl !== -1 && nl + 1 < bytes.length; nl = bytes.indexOf(10, nl + 1)) {
    if (bytes[nl + 1] === 10) return nl + 2;
    if (bytes[nl + 1] === 13 && bytes[nl + 2] === 10) return nl + 3;
  }
  return -1;
}
