// Streaming `perf script` text → folded stacks, with stackcollapse-perf.pl's rules and options.
// Memory holds the stack trie, the line cache, one partial line and the current sample:
// never the whole input.
import { isAscii } from 'node:buffer';
import { parseFrameLine, type FrameRules } from './perf-frame.ts';
import { LineCache } from './line-cache.ts';
import { detach, ROOT, StackTrie } from './stack-trie.ts';
import { trieText } from './trie-text.ts';
import type { FoldedStacks } from './folded.ts';

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
}

// `comm pid[/tid] …`; a comm may contain spaces, and the lazy match stops at the first number.
const EVENT_HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
// `…: [period] event:` at the end of the header line.
const EVENT_NAME = /:\s*(\d+)*\s+(\S+):\s*$/;
// Parsed callchain lines, keyed by the line: hot code repeats the same lines over and over.
const LINE_CACHE_LIMIT = 262_144;
// A line's frames as the sample collects them (innermost first): one name id, several, or none.
type LineFrames = number | Int32Array;
const SKIP = -1;
const UNRECOGNIZED = -2;
const DECODE_PIECE = 64 * 1024;

export class StackCollapser {
  readonly #rules: FrameRules;
  readonly #pid: boolean;
  readonly #tid: boolean;
  readonly #trie = new StackTrie();
  readonly #roots = new Map<string, number>();
  readonly #decoder = new TextDecoder('utf-8');
  #decoderPending = false;
  readonly #lineCaches = [
    new LineCache<LineFrames>(LINE_CACHE_LIMIT),
    new LineCache<LineFrames>(LINE_CACHE_LIMIT),
  ];
  #isJava = false;
  #partial = '';
  #pname: string | undefined;
  #period = 1;
  #frames = new Int32Array(256);
  #depth = 0;
  #event: string | undefined;
  #skippedSamples = 0;
  #unrecognizedLines = 0;

  constructor(options: CollapseOptions = {}) {
    this.#rules = {
      kernel: options.kernel === true || options.all === true,
      jit: options.jit === true || options.all === true,
      addrs: options.addrs === true,
    };
    this.#pid = options.pid === true;
    this.#tid = options.tid === true;
  }

  /** The event the output keeps: the first one seen, as in the perl script. */
  get event(): string | undefined {
    return this.#event;
  }

  /** Samples left out because their event differs from the first one. */
  get skippedSamples(): number {
    return this.#skippedSamples;
  }

  /** Lines that are neither a header, a frame, a comment nor blank (the perl script warns on each). */
  get unrecognizedLines(): number {
    return this.#unrecognizedLines;
  }

  push(chunk: string | Buffer): void {
    if (typeof chunk === 'string') this.#push(chunk);
    // Decoded in pieces: a string above V8's regular object size is allocated apart and lives longer.
    else
      for (let at = 0; at < chunk.length; at += DECODE_PIECE)
        this.#push(this.#decode(chunk.subarray(at, at + DECODE_PIECE)));
  }

  #push(text: string): void {
    let start = 0;
    if (this.#partial !== '') {
      // The line cut at the end of the previous chunk, completed on its own: joining whole chunks
      // would copy every chunk once more.
      const nl = text.indexOf('\n');
      if (nl === -1) {
        this.#partial += text;
        return;
      }
      const line = this.#partial + text.slice(0, nl);
      this.#partial = '';
      this.#line(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    this.#scan(text, start);
  }

  #scan(text: string, from: number): void {
    let start = from;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const first = text.charCodeAt(start);
      // Most lines are frame lines without a CR: straight to the line cache.
      if ((first === 9 || first === 32) && text.charCodeAt(nl - 1) !== 13) {
        this.#frameLine(text.slice(start, nl));
        start = nl + 1;
        continue;
      }
      this.#line(
        text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl),
      );
      start = nl + 1;
    }
    this.#partial = text.slice(start);
  }

  /**
   * Finishes the input and returns the folded stacks. A last line without a newline is read; a
   * sample without its closing blank line is left out, like the perl script does (it may be cut).
   */
  end(): FoldedStacks {
    this.#finish();
    return this.#trie.folded();
  }

  /** Like `end`, but formatFolded's text itself as UTF-8, in pieces, without joining and sorting stacks. */
  endText(): Iterable<Buffer> {
    this.#finish();
    return trieText(this.#trie);
  }

  #finish(): void {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    if (rest !== '') this.#line(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  }

  // ASCII, the usual case, decodes several times faster as latin1; anything else goes through the
  // streaming decoder, which also completes a character cut at the end of the previous chunk.
  #decode(chunk: Buffer): string {
    if (!this.#decoderPending && isAscii(chunk)) return chunk.toString('latin1');
    this.#decoderPending = !isAscii(chunk);
    return this.#decoder.decode(chunk, { stream: true });
  }

  #line(line: string): void {
    if (line === '') {
      this.#endSample();
      return;
    }
    const first = line.charCodeAt(0);
    if (first === 35 /* # */) return;
    if (first !== 9 && first !== 32 && this.#header(line)) return;
    this.#frameLine(line);
  }

  #frameLine(line: string): void {
    const cache = this.#lineCaches[this.#isJava ? 1 : 0] as LineCache<LineFrames>;
    const frames = cache.get(line) ?? this.#parseLine(line, cache);
    if (typeof frames !== 'number') {
      // Frames of a filtered sample, or of no sample at all, are read but not kept (as in perl).
      if (this.#pname !== undefined) for (const id of frames) this.#pushFrame(id);
    } else if (frames >= 0) {
      if (this.#pname !== undefined) this.#pushFrame(frames);
    } else if (frames === UNRECOGNIZED) this.#unrecognizedLines++;
  }

  #parseLine(line: string, cache: LineCache<LineFrames>): LineFrames {
    const parsed = parseFrameLine(line, this.#isJava, this.#rules);
    let frames: LineFrames;
    if (parsed === 'skip') frames = SKIP;
    else if (parsed === 'unrecognized') frames = UNRECOGNIZED;
    else if (parsed.length === 1) frames = this.#trie.intern(parsed[0] as string);
    else {
      // Collected innermost first: an inline chain's frames in reverse.
      frames = new Int32Array(parsed.length);
      for (let i = 0; i < parsed.length; i++)
        frames[i] = this.#trie.intern(parsed[parsed.length - 1 - i] as string);
    }
    cache.set(line, frames);
    return frames;
  }

  #pushFrame(id: number): void {
    if (this.#depth === this.#frames.length) {
      const frames = new Int32Array(this.#frames.length * 2);
      frames.set(this.#frames);
      this.#frames = frames;
    }
    this.#frames[this.#depth++] = id;
  }

  /** Reads an event header (kept, or filtered for its event); false when the line is none (it may be a frame line). */
  #header(line: string): boolean {
    const m = EVENT_HEADER.exec(line);
    if (!m) return false;
    const period = this.#eventPeriod(line);
    if (period === undefined) {
      // Mixing events (cycles and instructions, say) would add up unlike things.
      this.#skippedSamples++;
      return true;
    }
    this.#pname = this.#processName(m);
    this.#isJava = this.#pname.startsWith('java');
    // A missing or zero period counts as one sample.
    this.#period = Number(period) || 1;
    return true;
  }

  /** The header's period ('' when it has none); undefined when its event is not the first sample's. */
  #eventPeriod(line: string): string | undefined {
    const ev = EVENT_NAME.exec(line);
    if (!ev) return '';
    const event = ev[2] ?? '';
    if (this.#event === undefined) this.#event = detach(event);
    else if (event !== this.#event) return undefined;
    return ev[1] ?? '';
  }

  /** `comm`, `comm-pid` or `comm-pid/tid` as the options ask, from a matched EVENT_HEADER. */
  #processName(m: RegExpExecArray): string {
    const comm = m[1] ?? '';
    // perl's `not $tid` is also true for a TID of "0" (swapper's 0/0): then the PID is unknown.
    const hasTid = m[3] !== undefined && m[3] !== '0';
    const pid = hasTid ? (m[2] ?? '') : '?';
    const tid = hasTid ? (m[3] ?? '') : (m[2] ?? '');
    let pname = comm;
    if (this.#tid) pname = `${comm}-${pid}/${tid}`;
    else if (this.#pid) pname = `${comm}-${pid}`;
    return pname.replaceAll(' ', '_');
  }

  #endSample(): void {
    const pname = this.#pname;
    if (pname === undefined) return;
    let node = this.#roots.get(pname);
    if (node === undefined) {
      node = this.#trie.child(ROOT, this.#trie.intern(pname));
      this.#roots.set(detach(pname), node);
    }
    this.#trie.count(this.#descend(node, this.#frames, this.#depth), this.#period);
    this.#depth = 0;
    this.#pname = undefined;
    this.#isJava = false;
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
