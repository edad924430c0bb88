// `furnace collapse-perf` on two cores as a pipeline: a worker thread finds the lines of the input and
// matches the frame lines it has seen before (find-lines.ts), while this thread reads the headers,
// parses each new frame line once and walks the stack trie. Unlike cutting the file into parts, no line
// is parsed twice and there is one trie; the output is one pass's, byte for byte.
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
  ringViews,
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
 * The input of `fd` (from its current offset) collapsed by this thread and a line finder thread, or
 * undefined when it has a line longer than a slot (then nothing was collapsed: read it in one pass).
 */
export async function collapseInPipeline(
  fd: number,
  options: CollapseOptions,
  shape: RingShape = DEFAULT_SHAPE,
): Promise<StackCollapser | undefined> {
  const shared = createRingBuffer(shape);
  const job: LinesJob = { kind: 'lines', fd, shared, shape };
  const { ready, done } = startWorker<null>(job);
  // The worker has loaded its code: from here on this thread waits for its entries (blocking).
  await ready;
  let collapser: StackCollapser | undefined = new StackCollapser(options);
  try {
    collapser = collapseEntries(ringViews(shared, shape), collapser);
  } finally {
    await done;
  }
  return collapser;
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
