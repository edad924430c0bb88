// A worker thread's share of `furnace collapse-perf`: one part of the file, collapsed into its own
// trie and sent back as plain arrays (moved, not copied) for the main thread to add up.
import { parentPort, workerData } from 'node:worker_threads';
import { StackCollapser } from '../../core/stacks/collapse-perf.ts';
import { readRange } from './read-range.ts';
import type { PartJob } from './collapse-file.ts';

const job = workerData as PartJob;
const collapser = new StackCollapser(job.options, job.event);
readRange(job.fd, job.start, job.end, collapser);
const part = collapser.part();
const { trie } = part;
parentPort?.postMessage(part, [trie.parent.buffer, trie.name.buffer, trie.count.buffer, trie.counted.buffer]);
