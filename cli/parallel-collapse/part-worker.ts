// A worker thread of `furnace collapse-perf`: either one part of the file, collapsed into its own trie
// and sent back as plain arrays (moved, not copied) for the main thread to add up, or the pipeline's
// line finder (collapse-pipeline.ts). Its first message says it is running; a part's second is the part.
import { parentPort, workerData } from 'node:worker_threads';
import { StackCollapser } from '../../core/stacks/collapse-perf.ts';
import { readRange } from './read-range.ts';
import type { PartJob } from './collapse-file.ts';
import type { LinesJob } from './collapse-pipeline.ts';
import { findLines } from './find-lines.ts';
import { ringViews } from './line-ring.ts';

const job = workerData as PartJob | LinesJob;
parentPort?.postMessage('running');
if ('kind' in job) findLines(job.fd, ringViews(job.shared, job.shape));
else {
  const collapser = new StackCollapser(job.options, job.event);
  readRange(job.fd, job.start, job.end, collapser);
  const part = collapser.part();
  const { trie } = part;
  parentPort?.postMessage(part, [
    trie.parent.buffer,
    trie.name.buffer,
    trie.count.buffer,
    trie.counted.buffer,
  ]);
}
