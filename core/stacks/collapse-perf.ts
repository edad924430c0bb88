// Streaming `perf script` text → folded stacks, with stackcollapse-perf.pl's rules and options.
// Memory holds the folded map, one partial line and the current sample: never the whole input.
import { isAscii } from 'node:buffer';
import { parseFrameLine, type FrameLine, type FrameRules } from './perf-frame.ts';

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

/** Folded stacks: `comm;outer;…;inner` → count (summed sample periods, as the perl script does). */
export type FoldedStacks = Map<string, number>;

// `comm pid[/tid] …`; a comm may contain spaces, and the lazy match stops at the first number.
const EVENT_HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
// `…: [period] event:` at the end of the header line.
const EVENT_NAME = /:\s*(\d+)*\s+(\S+):\s*$/;
// Parsed callchain lines, keyed by the line: hot code repeats the same lines over and over.
const FRAME_CACHE_LIMIT = 50_000;
// Whole samples are cached too, up to this many characters in all; longer blocks would hash poorly.
const BLOCK_CACHE_CHARS = 16_000_000;
const MAX_BLOCK = 16_000;
// Folded keys remembered per cached sample text, one per process name (more with --pid/--tid).
const KEYS_PER_BLOCK = 64;

interface CachedBlock {
  /** `outer;…;inner`, empty for a sample without frames. */
  suffix: string;
  /** Process name → the whole folded key. */
  keys: Map<string, string>;
}

export class StackCollapser {
  readonly #rules: FrameRules;
  readonly #pid: boolean;
  readonly #tid: boolean;
  readonly #stacks: FoldedStacks = new Map();
  readonly #decoder = new TextDecoder('utf-8');
  #decoderPending = false;
  readonly #cache = [new Map<string, FrameLine>(), new Map<string, FrameLine>()];
  #partial = '';
  #pname: string | undefined;
  #period = 1;
  #frames: string[] = [];
  // The folded frames of the current sample when they came whole from the block cache.
  #suffix: CachedBlock | undefined;
  readonly #blockCache = [new Map<string, CachedBlock>(), new Map<string, CachedBlock>()];
  #blockChars = 0;
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
    const text = this.#partial + (typeof chunk === 'string' ? chunk : this.#decode(chunk));
    let start = 0;
    // Cleared when no whole sample is left in this chunk, so input without "\n\n" (CRLF) is scanned once.
    let blocks = true;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const accepted = this.#line(
        text.charCodeAt(nl - 1) === 13 && nl > start ? text.slice(start, nl - 1) : text.slice(start, nl),
      );
      start = nl + 1;
      if (!accepted || !blocks || this.#frames.length > 0) continue;
      // The frame lines of a sample up to its blank line; hot code repeats them byte for byte.
      const end = text.indexOf('\n\n', nl);
      if (end === -1) blocks = false;
      else if (end - start <= MAX_BLOCK) {
        this.#block(text.slice(start, end));
        this.#endSample();
        start = end + 2;
      }
    }
    this.#partial = text.slice(start);
  }

  /**
   * Finishes the input and returns the folded stacks. A last line without a newline is read; a
   * sample without its closing blank line is left out, like the perl script does (it may be cut).
   */
  end(): FoldedStacks {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    if (rest !== '') this.#line(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
    return this.#stacks;
  }

  // ASCII, the usual case, decodes several times faster as latin1; anything else goes through the
  // streaming decoder, which also completes a character cut at the end of the previous chunk.
  #decode(chunk: Buffer): string {
    if (!this.#decoderPending && isAscii(chunk)) return chunk.toString('latin1');
    this.#decoderPending = !isAscii(chunk);
    return this.#decoder.decode(chunk, { stream: true });
  }

  /** Returns true for the header of a sample that is kept. */
  #line(line: string): boolean {
    if (line === '') {
      this.#endSample();
      return false;
    }
    const first = line.charCodeAt(0);
    if (first === 35 /* # */) return false;
    if (first !== 9 && first !== 32) {
      const header = this.#header(line);
      if (header !== 'none') return header === 'accepted';
    }
    // Frames of a filtered sample, or of no sample at all, are read but not kept (as in perl).
    this.#frameLine(line, this.#pname !== undefined);
    return false;
  }

  /** All frame lines of one sample (no blank line inside), folded to `outer;…;inner` once per text. */
  #block(block: string): void {
    const cache = this.#blockCache[this.#pname === 'java' ? 1 : 0] as Map<string, CachedBlock>;
    const hit = cache.get(block);
    if (hit !== undefined) {
      this.#suffix = hit;
      return;
    }
    const unrecognized = this.#unrecognizedLines;
    let cacheable = true;
    for (const line of block === '' ? [] : block.split('\n')) {
      const first = line.charCodeAt(0);
      // Only plain frame lines: a header, comment or stray CR inside changes state beyond the stack.
      if (first !== 9 && first !== 32) cacheable = false;
      this.#line(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (!cacheable || this.#unrecognizedLines !== unrecognized) return;
    let suffix = '';
    for (let i = this.#frames.length - 1; i >= 0; i--) suffix += (suffix === '' ? '' : ';') + this.#frames[i];
    this.#blockChars += block.length;
    if (this.#blockChars > BLOCK_CACHE_CHARS) {
      cache.clear();
      this.#blockChars = block.length;
    }
    const entry: CachedBlock = { suffix: detach(suffix), keys: new Map() };
    cache.set(detach(block), entry);
    this.#suffix = entry;
    this.#frames = [];
  }

  #frameLine(line: string, keep: boolean): void {
    const isJava = this.#pname === 'java';
    const cache = this.#cache[isJava ? 1 : 0] as Map<string, FrameLine>;
    let parsed = cache.get(line);
    if (parsed === undefined) {
      parsed = parseFrameLine(line, isJava, this.#rules);
      if (cache.size >= FRAME_CACHE_LIMIT) cache.clear();
      cache.set(detach(line), detachFrames(parsed));
    }
    if (parsed === 'unrecognized') {
      this.#unrecognizedLines++;
    } else if (keep && parsed !== 'skip') {
      // Frames come innermost first; collected in reverse and joined outermost first at the end.
      for (let i = parsed.length - 1; i >= 0; i--) this.#frames.push(parsed[i] as string);
    }
  }

  /** `none` when the line is not an event header (then it may still be a frame line). */
  #header(line: string): 'none' | 'filtered' | 'accepted' {
    const m = EVENT_HEADER.exec(line);
    if (!m) return 'none';
    let period = '';
    const ev = EVENT_NAME.exec(line);
    if (ev) {
      period = ev[1] ?? '';
      const event = ev[2] ?? '';
      if (this.#event === undefined) this.#event = event;
      else if (event !== this.#event) {
        // Mixing events (cycles and instructions, say) would add up unlike things.
        this.#skippedSamples++;
        return 'filtered';
      }
    }
    const comm = m[1] ?? '';
    // perl's `not $tid` is also true for a TID of "0" (swapper's 0/0): then the PID is unknown.
    const hasTid = m[3] !== undefined && m[3] !== '0';
    const pid = hasTid ? (m[2] ?? '') : '?';
    const tid = hasTid ? (m[3] ?? '') : (m[2] ?? '');
    let pname = comm;
    if (this.#tid) pname = `${comm}-${pid}/${tid}`;
    else if (this.#pid) pname = `${comm}-${pid}`;
    this.#pname = pname.replaceAll(' ', '_');
    // A missing or zero period counts as one sample.
    this.#period = Number(period) || 1;
    return 'accepted';
  }

  #endSample(): void {
    if (this.#pname === undefined) return;
    let key = this.#pname;
    const block = this.#suffix;
    if (block !== undefined) {
      this.#suffix = undefined;
      // The same string object each time: its hash is computed once, not per sample.
      const known = block.keys.get(key);
      if (known !== undefined) key = known;
      else {
        key = detach(block.suffix === '' ? key : `${key};${block.suffix}`);
        if (block.keys.size < KEYS_PER_BLOCK) block.keys.set(detach(this.#pname), key);
      }
    }
    for (let i = this.#frames.length - 1; i >= 0; i--) key += ';' + (this.#frames[i] as string);
    const count = this.#stacks.get(key);
    // A new key gets its own copy: a slice of the input would keep a whole chunk alive.
    if (count === undefined) this.#stacks.set(detach(key), this.#period);
    else this.#stacks.set(key, count + this.#period);
    this.#frames = [];
    this.#pname = undefined;
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

// Strings sliced from a large chunk keep the whole chunk alive; cached ones get their own copy.
function detach(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function detachFrames(parsed: FrameLine): FrameLine {
  return typeof parsed === 'string' ? parsed : parsed.map(detach);
}
