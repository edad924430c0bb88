// Feeds bytes [start, end) of an open file to a collapser through one reused buffer, with positioned
// reads: threads that share the file descriptor do not share a file offset.
import type { StackCollapser } from '../../core/stacks/collapse-perf.ts';

// Not an ESM import of node:fs: one pass loads this module too, and that import runs fs's lazy getters
// (see ../io.ts).
const { readSync } = process.getBuiltinModule('node:fs');

const CHUNK = 1024 * 1024;

export function readRange(fd: number, start: number, end: number, collapser: StackCollapser): void {
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (let at = start; at < end;) {
    const n = readSync(fd, buffer, 0, Math.min(CHUNK, end - at), at);
    if (n === 0) break;
    collapser.push(buffer.subarray(0, n));
    at += n;
  }
}
