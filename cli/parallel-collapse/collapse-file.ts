// `furnace collapse-perf` on a file, on every core: the file is cut at sample boundaries, the main
// thread collapses the first part while worker threads collapse the others, and their tries are added
// to the main thread's in order. The output is the same as one pass's (the same stacks and sums, and
// the text is sorted anyway). A sample filtered for its event needs the first event of the whole
// input, so the workers are told it: it is read from the head of the file first.
import { readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { StackCollapser, type CollapsedPart, type CollapseOptions } from '../../core/stacks/collapse-perf.ts';
import { readRange } from './read-range.ts';
import { splitAtSamples } from './split-input.ts';
import { startWorker } from './start-worker.ts';

/** What a worker collapses. */
export interface PartJob {
  fd: number;
  start: number;
  end: number;
  options: CollapseOptions;
  event: string;
}

export interface PartsConfig {
  /** Parts at most (default 1: one pass; see DEFAULT_PARTS). */
  parts?: number;
  /** Smaller files are read in one pass: a thread's start-up would cost more than it saves. */
  minBytes?: number;
  /** The first part's size against each other part's (see splitAtSamples). */
  firstShare?: number;
}

const HEAD = 256 * 1024;
// One pass unless asked: on the 2-core VM of bench:collapse two threads took 1.31 s against one thread's
// 0.95 s for 123 MB (each thread warms up its own JIT, parses the same distinct lines again and maps
// its own fresh memory, which costs a page fault per 4 KiB there). A machine with cheap memory and
// idle cores may gain; --threads N asks for it.
const DEFAULT_PARTS = 1;
const MIN_BYTES = 16 * 1024 * 1024;
// The main thread also sums the parts and writes the text, so it reads a little less.
const FIRST_SHARE = 0.75;

/** The collapsed file, or undefined when it is better read in one pass (small, one core, no event in its head). */
export async function collapseFileInParts(
  fd: number,
  size: number,
  options: CollapseOptions,
  config: PartsConfig = {},
): Promise<StackCollapser | undefined> {
  const wanted = Math.min(config.parts ?? DEFAULT_PARTS, availableParallelism() * 2);
  if (wanted < 2 || size < (config.minBytes ?? MIN_BYTES)) return undefined;
  const ranges = splitAtSamples(fd, size, wanted, config.firstShare ?? FIRST_SHARE);
  const first = ranges[0];
  const event = first === undefined ? undefined : eventInHead(fd, Math.min(first.end, HEAD), options);
  if (ranges.length < 2 || first === undefined || event === undefined) return undefined;
  const workers = ranges.slice(1).map((range) => startPart({ fd, ...range, options, event }));
  return collapseFirst(fd, first, options, workers);
}

/** Collapses the first part in this thread, then adds the workers' parts to it in order. */
async function collapseFirst(
  fd: number,
  range: { start: number; end: number },
  options: CollapseOptions,
  workers: Promise<CollapsedPart>[],
): Promise<StackCollapser> {
  const collapser = new StackCollapser(options);
  let failure: Error | undefined;
  try {
    readRange(fd, range.start, range.end, collapser);
  } catch (err) {
    failure = err as Error;
  }
  // The workers' answers are awaited even when this thread failed, so none is left running.
  const parts = await Promise.allSettled(workers);
  if (failure !== undefined) throw failure;
  for (const part of parts) if (part.status === 'rejected') throw part.reason as Error;
  for (const part of parts) if (part.status === 'fulfilled') collapser.absorb(part.value);
  return collapser;
}

/** The first event of the input, read as the collapser reads it, from its first `bytes` bytes. */
function eventInHead(fd: number, bytes: number, options: CollapseOptions): string | undefined {
  const head = Buffer.allocUnsafe(bytes);
  const n = readSync(fd, head, 0, bytes, 0);
  const probe = new StackCollapser(options);
  probe.push(head.subarray(0, n));
  return probe.event;
}

async function startPart(job: PartJob): Promise<CollapsedPart> {
  const part = await startWorker<CollapsedPart>(job).done;
  if (part === undefined) throw new Error('a collapse worker ended before answering');
  return part;
}
