// A worker thread of `furnace collapse-perf`: either one part of the file, collapsed into its own trie
// and sent back as plain arrays (moved, not copied) for the main thread to add up, or the pipeline's
// line finder (collapse-pipeline.ts), which loads only what it needs. Its first message says it is
// running; a part's second is the part.
import { parentPort, workerData } from 'node:worker_threads';
import type { PartJob } from './collapse-file.ts';
import type { LinesJob } from './collapse-pipeline.ts';

const job = workerData as PartJob | LinesJob;
if ('kind' in job) {
  const [{ findLines }, { ringViews }] = await Promise.all([
    import('./find-lines.ts'),
    import('./line-ring.ts'),
  ]);
  parentPort?.postMessage('running');
  findLines(job.fd, ringViews(job.shared, job.shape));
} else {
  parentPort?.postMessage('running');
  const [{ StackCollapser }, { readRange }] = await Promise.all([
    import('../../core/stacks/collapse-perf.ts'),
    import('./read-range.ts'),
  ]);
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
