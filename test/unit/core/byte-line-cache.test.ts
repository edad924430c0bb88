// The collapser's line cache: a line is found by its bytes, first as one of the two lines that followed
// its predecessor before, else by its hash; the hash and the line's end come from one pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteLineCache, hashBytes } from '../../../core/stacks/byte-line-cache.ts';

const LINES = ['\tffff0001 outer (/bin/x)', '\tffff0002 left (/bin/x)', '\tffff0003 right (/bin/x)'];

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * Reads `text` line by line as the collapser does (guesses, then the hash); the ids of the lines matched.
 * Lines are keyed in `frames` by their text in `encoding`.
 */
function readLines(
  cache: ByteLineCache,
  text: string | Buffer,
  frames: Map<string, number>,
  encoding: BufferEncoding = 'utf8',
): number[] {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const view = viewOf(buf);
  const seen: number[] = [];
  for (let at = 0; at < buf.length;) {
    let end = cache.matchGuess(buf, view, at);
    if (end === -1) {
      end = cache.hashLine(buf, at);
      if (!cache.find(buf, view)) {
        const line = buf.toString(encoding, at, end);
        cache.add(buf, [frames.get(line) ?? -1]);
      }
    }
    seen.push(cache.pool[cache.firstOf(cache.current)] as number);
    at = end + 1;
  }
  return seen;
}

describe('ByteLineCache', () => {
  it('hashLine ends at the next newline with the hash of the bytes before it, and -1 without one', () => {
    const buf = Buffer.from(`${LINES[0]}\n${LINES[1]}`);
    const cache = new ByteLineCache(16);
    const end = cache.hashLine(buf, 0);
    assert.equal(end, (LINES[0] as string).length);
    assert.equal(cache.lineHash, hashBytes(buf, 0, end));
    assert.equal(cache.hashLine(buf, end + 1), -1);
  });

  it('finds a line that alternates with another after the same predecessor, by either guess', () => {
    const frames = new Map(LINES.map((line, i) => [line, i]));
    const cache = new ByteLineCache(16);
    // outer is followed by left, then right, then left and right again: the second guess's cases.
    const order = [0, 1, 0, 2, 0, 1, 0, 2, 0, 2, 0, 1];
    const text = order.map((i) => `${LINES[i] as string}\n`).join('');
    assert.deepEqual(readLines(cache, text, frames), order);
  });

  it('does not take a guess that is only the start of the line', () => {
    const frames = new Map([
      ['\tffff0001 a (/bin/x)', 0],
      ['\tffff0002 b (/bin/x)', 1],
      ['\tffff0002 b (/bin/x) more', 2],
    ]);
    const cache = new ByteLineCache(16);
    const lines = [
      '\tffff0001 a (/bin/x)',
      '\tffff0002 b (/bin/x)',
      '\tffff0001 a (/bin/x)',
      '\tffff0002 b (/bin/x) more',
    ];
    assert.deepEqual(readLines(cache, lines.map((l) => `${l}\n`).join(''), frames), [0, 1, 0, 2]);
  });

  it('tells apart lines whose eight-byte words read as NaN or as +0 and -0 (they are compared as doubles)', () => {
    // Little-endian doubles: 0xff…ff and 0xff…fe are two NaNs; eight zero bytes are +0, with 0x80 last -0.
    const nan = Buffer.from('\t\xff\xff\xff\xff\xff\xff\xff\xff nan', 'latin1');
    const otherNan = Buffer.from('\t\xfe\xff\xff\xff\xff\xff\xff\xff nan', 'latin1');
    const zero = Buffer.from('\t\x00\x00\x00\x00\x00\x00\x00\x00 zero', 'latin1');
    const minusZero = Buffer.from('\t\x00\x00\x00\x00\x00\x00\x00\x80 zero', 'latin1');
    // Each after the same line, so that the one seen after it before is tried first, byte for byte.
    const before = Buffer.from('\tffff0001 outer (/bin/x)');
    const order = [0, 1, 0, 2, 3, 2, 1, 3, 0];
    const lines = order.flatMap((i) => [before, [nan, otherNan, zero, minusZero][i] as Buffer]);
    const ids = new Map(
      [nan, otherNan, zero, minusZero, before].map((line, i) => [line.toString('latin1'), i]),
    );
    const buf = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
    const seen = readLines(new ByteLineCache(16), buf, ids, 'latin1');
    assert.deepEqual(
      seen,
      order.flatMap((i) => [4, i]),
    );
  });
});
