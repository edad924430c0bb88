// `furnace collapse-perf` on two cores as a pipeline: a worker thread finds the lines of the input and
// matches the frame lines it has seen before (find-lines.ts), while this thread reads the headers,
// parses each new frame line once and walks the stack trie. Unlike cutting the file into parts, no line
// is parsed twice and there is one trie; the output is one pass's, byte for byte.
import { readSync } from 'node:fs';
import { StackCollapser, lineText, type CollapseOptions } from '../../core/stacks/collapse-perf.ts';
import {
  DEFAULT_SHAPE,
  EntryReader,
  FORGET_LINES,
  INPUT_END,
  LINE_TOO_LONG,
  NEW_LINE,
  OTHER_LINE,
  SLOT_READ,
  createRingBuffer,
  finderStarted,
  ringViews,
  startFinder,
  type LineRing,
  type RingShape,
} from './line-ring.ts';
import { startWorker } from './start-worker.ts';

/** What the line finder thread is given. */
export interface LinesJob {
  kind: 'lines';
  fd: number;
  shared: SharedArrayBuffer;
  shape: RingShape;
}

/**
 * The file `fd` collapsed by this thread and a line finder thread, or undefined when it has a line longer
 * than a slot (then read it again in one pass). While the finder starts (a thread's start-up, 30-50 ms)
 * this thread collapses the head of the file itself, then hands over at a line's end. `head`: at most
 * this many bytes read before waiting for the finder (tests; a small file is read before it starts).
 */
export async function collapseInPipeline(
  fd: number,
  options: CollapseOptions,
  shape: RingShape = DEFAULT_SHAPE,
  head = Infinity,
): Promise<StackCollapser | undefined> {
  const shared = createRingBuffer(shape);
  const ring = ringViews(shared, shape);
  const job: LinesJob = { kind: 'lines', fd, shared, shape };
  const { done } = startWorker<null>(job);
  const collapser = new StackCollapser(options);
  let at: number | undefined;
  try {
    at = collapseHead(fd, ring, collapser, head);
  } finally {
    if (at === undefined) startFinder(ring, undefined);
  }
  if (at === undefined) {
    // The file was read before the finder ran (or it never did): its end or failure does not matter.
    await done.catch(() => undefined);
    return collapser;
  }
  startFinder(ring, at);
  try {
    return collapseEntries(ring, collapser);
  } finally {
    await done;
  }
}

// How long to wait for the finder once `head` bytes are read, before reading on alone.
const START_WAIT_MS = 30_000;

/**
 * Collapses the file from its start, a chunk at a time, until the finder runs; returns the offset just
 * after the last whole line read (where the finder is to start), or undefined when the file was read to
 * its end.
 */
function collapseHead(
  fd: number,
  ring: LineRing,
  collapser: StackCollapser,
  head: number,
): number | undefined {
  // A slot's size at a time: the finder's unit too.
  const buffer = Buffer.allocUnsafe(ring.slotBytes);
  let at = 0;
  // Whether the collapser holds a line cut at the end of the last chunk.
  let cut = false;
  for (;;) {
    if (!cut && (finderStarted(ring) || (at >= head && finderStarted(ring, START_WAIT_MS)))) return at;
    const n = readSync(fd, buffer, 0, buffer.length, at);
    if (n === 0) return undefined;
    const last = buffer.lastIndexOf(10, n - 1);
    // Up to the last newline, so that nothing is left cut; the rest is read again with the next chunk.
    const whole = last === -1 ? n : last + 1;
    collapser.push(buffer.subarray(0, whole));
    at += whole;
    cut = last === -1;
  }
}

/** Reads the ring's entries to the end of the input. */
function collapseEntries(ring: LineRing, collapser: StackCollapser): StackCollapser | undefined {
  const reader = new EntryReader(ring);
  const lines = new KnownLines(collapser);
  const input = ring.input;
  for (;;) {
    const entry = reader.next();
    if (entry >= 0) {
      lines.frame(entry);
      continue;
    }
    if (entry === NEW_LINE) {
      const line = reader.next();
      const start = reader.next();
      lines.add(line, lineText(input, start, reader.next()));
      lines.frame(line);
    } else if (entry === OTHER_LINE) {
      const start = reader.next();
      collapser.otherLine(input, start, reader.next());
    } else if (entry === SLOT_READ) reader.releaseSlot();
    else if (entry === FORGET_LINES) lines.forget();
    else if (entry === INPUT_END) return collapser;
    else if (entry === LINE_TOO_LONG) return undefined;
  }
}

/** The text of each line id the finder gave, and its frames as parsed for a java process or another. */
class KnownLines {
  readonly #collapser: StackCollapser;
  #texts: string[] = [];
  #frames: (readonly number[] | null)[][] = [[], []];

  constructor(collapser: StackCollapser) {
    this.#collapser = collapser;
  }

  add(line: number, text: string): void {
    this.#texts[line] = text;
  }

  frame(line: number): void {
    const collapser = this.#collapser;
    const known = this.#frames[collapser.isJava ? 1 : 0] as (readonly number[] | null)[];
    let frames = known[line];
    if (frames === undefined) {
      frames = collapser.framesOf(this.#texts[line] as string);
      known[line] = frames;
    }
    collapser.pushFrames(frames);
  }

  forget(): void {
    this.#texts = [];
    this.#frames = [[], []];
  }
}
