// Feeds bytes [start, end) of an open file to a collapser through one reused buffer, with positioned
// reads: threads that share the file descriptor do not share a file offset.
import { readSync } from 'node:fs';
import type { StackCollapser } from '../../core/stacks/collapse-perf.ts';

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
