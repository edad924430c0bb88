// Streaming `perf script` text → folded stacks, with stackcollapse-perf.pl's rules and options.
// Memory holds the stack trie, the line cache, one partial line and the current sample:
// never the whole input.
import { frameKey, parseFrameLine, type FrameRules } from './perf-frame.ts';
import { ByteLineCache, UNRECOGNIZED } from './byte-line-cache.ts';
import type { HeaderFacts } from './header-cache.ts';
import { SampleHeaders } from './sample-header.ts';
import { detach, ROOT, StackTrie, type TrieData } from './stack-trie.ts';
import { trieText } from './trie-text.ts';
import type { FoldedStacks } from './folded.ts';
import { TimelineBuilder, type TimedSamples } from './timeline.ts';

export interface CollapseOptions {
  /** Append the PID to the process name: `comm-pid`. */
  pid?: boolean;
  /** Append PID and TID to the process name: `comm-pid/tid`. */
  tid?: boolean;
  /** Annotate kernel frames with `_[k]`. */
  kernel?: boolean;
  /** Annotate JIT frames (from `/tmp/perf-PID.map`) with `_[j]`. */
  jit?: boolean;
  /** Both annotations, `kernel` and `jit`. */
  all?: boolean;
  /** Keep the raw address of frames without a symbol: `[dso <addr>]`. */
  addrs?: boolean;
  /**
   * Tables sized for a short input (a continuous profiling window of a few thousand samples): they start
   * small and grow. Without it they start at their full size, about 70 MiB of typed arrays that a long
   * recording fills and a short one only allocates, at a cost many times that of collapsing it.
   */
  small?: boolean;
}

// Parsed callchain lines, keyed by the line: hot code repeats the same lines over and over.
const LINE_CACHE_LIMIT = 262_144;
/**
 * Below this much expected text a recording's tables start small (`small`) and grow. Made large at once
 * they are about 70 MB, which a recording of a few hundred KB paid for in full: a long-running process's
 * allocator hands such blocks out of its heap and zeroes them (30-50 ms of CPU per recording, measured).
 */
const SMALL_INPUT_BYTES = 16 << 20;
const EMPTY = Buffer.alloc(0);
// Lines and trie nodes a `small` collapser has room for before it grows.
const SMALL_START = 1024;

/** The stacks and notes of one part of an input (see `StackCollapser.part`). */
export interface CollapsedPart {
  trie: TrieData;
  skippedSamples: number;
  unrecognizedLines: number;
}

export class StackCollapser {
  readonly #rules: FrameRules;
  readonly #trie: StackTrie;
  readonly #roots = new Map<string, number>();
  // Frames by frameKey: lines of other addresses in the same function parse the same.
  readonly #frameKeys = [new Map<string, number[] | null>(), new Map<string, number[] | null>()];
  // By kind of process: index 0 for most, 1 for java (made on its first sample; most inputs have none).
  // Each is 27 MiB of typed arrays at full size, and V8 starts a full collection of the heap once a
  // process holds more than 64 MiB of them: one cache and the trie stay below that.
  readonly #lineCaches: (ByteLineCache | undefined)[];
  readonly #cacheLines: number;
  // The bytes of a line cut at the end of the previous chunk, and a high surrogate that ended a string.
  #carry: Buffer = EMPTY;
  #highSurrogate = '';
  readonly #headers: SampleHeaders;
  #isJava = false;
  #pname: string | undefined;
  #period = 1;
  #frames = new Int32Array(256);
  #depth = 0;
  #skippedSamples = 0;
  #unrecognizedLines = 0;
  readonly #timeline: TimelineBuilder | undefined;

  /**
   * `event`: the event to keep, for a later part of an input collapsed apart from the part that names it
   * first. `timeline`: also collects each sample's thread and time in input order (perf script's `tid`
   * and `time` fields).
   */
  constructor(options: CollapseOptions = {}, event?: string, timeline?: TimelineBuilder) {
    this.#rules = {
      kernel: options.kernel === true || options.all === true,
      jit: options.jit === true || options.all === true,
      addrs: options.addrs === true,
    };
    this.#cacheLines = options.small === true ? SMALL_START : LINE_CACHE_LIMIT;
    this.#lineCaches = [new ByteLineCache(LINE_CACHE_LIMIT, this.#cacheLines), undefined];
    this.#trie = options.small === true ? new StackTrie(SMALL_START) : new StackTrie();
    const naming = { pid: options.pid === true, tid: options.tid === true };
    this.#headers = new SampleHeaders(naming, event, timeline !== undefined);
    this.#timeline = timeline;
  }

  /** The event the output keeps: the first one seen, as in the perl script. */
  get event(): string | undefined {
    return this.#headers.event;
  }

  /** Samples left out because their event differs from the first one. */
  get skippedSamples(): number {
    return this.#skippedSamples;
  }

  /** Lines that are neither a header, a frame, a comment nor blank (the perl script warns on each). */
  get unrecognizedLines(): number {
    return this.#unrecognizedLines;
  }

  /** Finishes the input (a part of a larger one) and returns it as plain data for another collapser's `absorb`. */
  part(): CollapsedPart {
    this.#finish();
    return {
      trie: this.#trie.data(),
      skippedSamples: this.#skippedSamples,
      unrecognizedLines: this.#unrecognizedLines,
    };
  }

  /** Input cut anywhere; a string is taken as UTF-8 text, a Buffer as its bytes. */
  push(chunk: string | Buffer): void {
    if (typeof chunk !== 'string') {
      this.#pushBytes(chunk);
      return;
    }
    // A character above U+FFFF cut between two strings is encoded once it is whole.
    let text = this.#highSurrogate + chunk;
    this.#highSurrogate = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#highSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    this.#pushBytes(Buffer.from(text, 'utf8'));
  }

  #pushBytes(chunk: Buffer): void {
    let bytes = chunk;
    if (this.#carry.length > 0) {
      // The line cut at the end of the previous chunk, completed on its own.
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        this.#carry = Buffer.concat([this.#carry, chunk]);
        return;
      }
      this.#scan(Buffer.concat([this.#carry, chunk.subarray(0, nl + 1)]));
      this.#carry = EMPTY;
      bytes = chunk.subarray(nl + 1);
    }
    const done = this.#scan(bytes);
    // A copy: the caller may read into its buffer again.
    if (done < bytes.length) this.#carry = Buffer.from(bytes.subarray(done));
  }

  /** Reads the whole lines of `buf`; returns where the first unfinished one starts. */
  #scan(buf: Buffer): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let at = 0;
    while (at < buf.length) {
      const first = buf[at];
      const end = first === 9 || first === 32 ? this.#frameLine(buf, view, at) : this.#otherLine(buf, at);
      if (end === -1) break;
      at = end + 1;
    }
    return at;
  }

  /** A line that starts with a blank: most of the input. Returns the position of its '\n', or -1. */
  #frameLine(buf: Buffer, view: DataView, from: number): number {
    const kind = this.#isJava ? 1 : 0;
    const cache = (this.#lineCaches[kind] ??= new ByteLineCache(LINE_CACHE_LIMIT, this.#cacheLines));
    let end = cache.matchGuess(buf, view, from);
    if (end === -1) {
      end = cache.hashLine(buf, from);
      if (end === -1) return -1;
      if (!cache.find(buf, view)) cache.add(buf, this.#parseLine(buf, from, end));
    }
    const line = cache.current;
    const count = cache.countOf(line);
    if (count === UNRECOGNIZED) this.#unrecognizedLines++;
    // Frames of a filtered sample, or of no sample at all, are read but not kept (as in perl).
    else if (this.#pname !== undefined) {
      const pool = cache.pool;
      const first = cache.firstOf(line);
      for (let i = first + count - 1; i >= first; i--) this.#pushFrame(pool[i] as number);
    }
    return end;
  }

  #parseLine(buf: Buffer, from: number, end: number): number[] | null {
    return this.framesOf(lineText(buf, from, end));
  }

  /**
   * Frame ids of a frame line's text (without its newline) in the order perl pushes them (outer first in
   * an inline chain), for a process named as the current sample's is; null: unrecognized.
   */
  framesOf(line: string): number[] | null {
    const key = frameKey(line, this.#rules.addrs);
    const known = this.#frameKeys[this.#isJava ? 1 : 0] as Map<string, number[] | null>;
    const cached = key === undefined ? undefined : known.get(key);
    if (cached !== undefined) return cached;
    const parsed = parseFrameLine(line, this.#isJava, this.#rules);
    let frames: number[] | null;
    if (parsed === 'unrecognized') frames = null;
    else if (parsed === 'skip') frames = [];
    else frames = parsed.map((name) => this.#trie.intern(name));
    if (key !== undefined) known.set(key, frames);
    return frames;
  }

  /** Whether the current sample's process name starts with `java` (its frame lines read differently). */
  get isJava(): boolean {
    return this.#isJava;
  }

  /** The frames of a frame line found by another thread (see framesOf), added to the current sample. */
  pushFrames(frames: readonly number[] | null): void {
    if (frames === null) this.#unrecognizedLines++;
    else if (this.#pname !== undefined)
      for (let i = frames.length - 1; i >= 0; i--) this.#pushFrame(frames[i] as number);
  }

  /** A whole line found by another thread that does not start with a blank: a header, comment, blank line or odd line. */
  otherLine(buf: Buffer, from: number, end: number): void {
    this.#line(lineText(buf, from, end));
  }

  /**
   * A header, a comment or a blank line. Returns the position of its '\n', or -1. A header shaped like
   * one read before takes that one's facts (HeaderCache) without being made a string.
   */
  #otherLine(buf: Buffer, from: number): number {
    const end = buf.indexOf(10, from);
    if (end === -1) return -1;
    if (end === from) {
      this.#endSample();
      return end;
    }
    const to = buf[end - 1] === 13 ? end - 1 : end;
    const facts = this.#headers.known(buf, from, to);
    if (facts === undefined) this.#line(buf.toString('utf8', from, to), buf, from);
    else this.#sampleFrom(facts);
    return end;
  }

  /**
   * Finishes the input and returns the folded stacks. A last line without a newline is read; a
   * sample without its closing blank line is left out, like the perl script does (it may be cut).
   */
  end(): FoldedStacks {
    this.#finish();
    return this.#trie.folded();
  }

  /**
   * Like `end`, but formatFolded's text itself as UTF-8, in pieces, without joining and sorting stacks.
   * `reuse`: each piece overwrites the last (see trieText), for a consumer that writes it at once.
   */
  endText(reuse = false): Iterable<Buffer> {
    this.#finish();
    return trieText(this.#trie, reuse ? 256 * 1024 : 1024 * 1024, reuse);
  }

  /** Finishes the input like `end`, and returns the stacks as the trie they were counted in (no joined stack). */
  endTrie(): StackTrie {
    this.#finish();
    return this.#trie;
  }

  #finish(): void {
    let rest = this.#carry;
    if (this.#highSurrogate !== '') rest = Buffer.concat([rest, Buffer.from(this.#highSurrogate, 'utf8')]);
    this.#carry = EMPTY;
    this.#highSurrogate = '';
    if (rest.length > 0) {
      const line = lineText(rest, 0, rest.length);
      const first = line.charCodeAt(0);
      if (first === 9 || first === 32) this.#frameLineText(line);
      else this.#line(line);
    }
  }

  #frameLineText(line: string): void {
    const buf = Buffer.from(`${line}\n`, 'utf8');
    this.#frameLine(buf, new DataView(buf.buffer, buf.byteOffset, buf.length), 0);
  }

  /** A whole line; `buf` and `from`: where its bytes are (the line's end is its text's). */
  #line(line: string, buf?: Buffer, from = 0): void {
    if (line === '') {
      this.#endSample();
      return;
    }
    const first = line.charCodeAt(0);
    if (first === 35 /* # */) return;
    if (first !== 9 && first !== 32 && this.#header(line, buf, from)) return;
    this.#frameLineText(line);
  }

  #pushFrame(id: number): void {
    if (this.#depth === this.#frames.length) {
      const frames = new Int32Array(this.#frames.length * 2);
      frames.set(this.#frames);
      this.#frames = frames;
    }
    this.#frames[this.#depth++] = id;
  }

  /**
   * Reads an event header (kept, or filtered for its event); false when the line is none (it may be a
   * frame line). With `buf`, the line's bytes start at buf[from]: its shape is kept (HeaderCache).
   */
  #header(line: string, buf?: Buffer, from = 0): boolean {
    const facts = this.#headers.read(line, buf, from);
    if (facts === undefined) return false;
    this.#sampleFrom(facts);
    return true;
  }

  /** Starts the sample a header announces (or leaves it out, for its event). */
  #sampleFrom(facts: HeaderFacts): void {
    if (facts.skip) {
      this.#skippedSamples++;
      return;
    }
    this.#pname = facts.pname;
    this.#isJava = facts.isJava;
    this.#period = facts.period;
  }

  /** The samples in input order, after `end` (undefined unless the options asked for a timeline). */
  timeline(): TimedSamples | undefined {
    return this.#timeline?.finish((node) => this.#trie.keyOf(node));
  }

  #endSample(): void {
    const pname = this.#pname;
    if (pname === undefined) return;
    let node = this.#roots.get(pname);
    if (node === undefined) {
      node = this.#trie.child(ROOT, this.#trie.intern(pname));
      this.#roots.set(detach(pname), node);
    }
    const leaf = this.#descend(node, this.#frames, this.#depth);
    this.#trie.count(leaf, this.#period);
    this.#timeline?.add(this.#headers.thread, this.#headers.time, leaf, this.#period);
    this.#depth = 0;
    this.#pname = undefined;
    this.#isJava = false;
  }

  /** Adds another collapser's stacks (of a later part of the same input) to this one's. */
  absorb(other: CollapsedPart): void {
    this.#trie.absorb(other.trie);
    this.#skippedSamples += other.skippedSamples;
    this.#unrecognizedLines += other.unrecognizedLines;
  }

  /** From `node` down through frames[depth - 1] … frames[0] (collected innermost first). */
  #descend(node: number, frames: Int32Array, depth: number): number {
    let at = node;
    for (let i = depth - 1; i >= 0; i--) at = this.#trie.child(at, frames[i] as number);
    return at;
  }
}

export async function collapsePerfScript(
  input: AsyncIterable<string | Buffer>,
  options: CollapseOptions = {},
): Promise<FoldedStacks> {
  const collapser = new StackCollapser(options);
  for await (const chunk of input) collapser.push(chunk);
  return collapser.end();
}

/**
 * A recording's collapser, read to the end of `input`, with its timeline (at most `maxSamples` samples);
 * finish it with `endTrie` or `end`, then read `timeline`. `expectedBytes`: about how much text will
 * come, when known; a small input's tables start small.
 */
export async function collapseRecording(
  input: AsyncIterable<string | Buffer>,
  expectedBytes?: number,
  maxSamples?: number,
): Promise<StackCollapser> {
  const small = expectedBytes !== undefined && expectedBytes < SMALL_INPUT_BYTES;
  const collapser = new StackCollapser({ small }, undefined, new TimelineBuilder(maxSamples));
  for await (const chunk of input) collapser.push(chunk);
  return collapser;
}

/** The folded stacks and, in input order, the samples they sum up (at most `maxSamples` of them). */
export async function collapseWithTimeline(
  input: AsyncIterable<string | Buffer>,
  maxSamples?: number,
  expectedBytes?: number,
): Promise<{ stacks: FoldedStacks; timeline: TimedSamples }> {
  const collapser = await collapseRecording(input, expectedBytes, maxSamples);
  const stacks = collapser.end();
  return { stacks, timeline: collapser.timeline() as TimedSamples };
}

/** The text of buf[from, end) without a final CR: CRLF input reads as LF. */
export function lineText(buf: Buffer, from: number, end: number): string {
  const to = end > from && buf[end - 1] === 13 ? end - 1 : end;
  return buf.toString('utf8', from, to);
}
