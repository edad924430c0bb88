// A perf script sample header (`comm pid/tid [cpu] time: period event:`) read as stackcollapse-perf.pl
// reads it: the process name the options print, the period, whether its event is the input's first, and
// (for a timeline) the sample's thread and time. Headers shaped like one read before are answered by
// their shape (HeaderCache) without being made a string.
import { HeaderCache, type HeaderFacts, type HeaderSpan } from './header-cache.ts';
import { detach } from './stack-trie.ts';

// `comm pid[/tid] …`; a comm may contain spaces, and the lazy match stops at the first number.
const EVENT_HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
// `…: [period] event:` at the end of the header line.
const EVENT_NAME = /:\s*(\d+)*\s+(\S+):\s*$/;
// The sample's time after `pid/tid`: `  12345.678901:`.
const EVENT_TIME = /^\s+(?:\[\d+\]\s+)?(\d+\.\d+):/;

/** How a process is named: `comm-pid` (pid), `comm-pid/tid` (tid), else `comm`. */
export interface ProcessNaming {
  pid: boolean;
  tid: boolean;
}

export class SampleHeaders {
  readonly #naming: ProcessNaming;
  readonly #timed: boolean;
  readonly #cache = new HeaderCache();
  // Filled in for each header whose shape is kept (one for the run, not one per header).
  readonly #span: HeaderSpan = { from: 0, to: 0, prefixBytes: 0, suffixBytes: 0 };
  #event: string | undefined;
  /** The last kept sample's thread (`comm pid/tid`), when timed. */
  thread = '';
  /** The last kept sample's time in seconds (NaN when it has none), when timed. */
  time = 0;

  /**
   * `event`: the event to keep (see StackCollapser's constructor). `timed`: every header is read in full
   * for its thread and time, none by its shape.
   */
  constructor(naming: ProcessNaming, event: string | undefined, timed: boolean) {
    this.#naming = naming;
    this.#event = event;
    this.#timed = timed;
  }

  /** The event the output keeps: the first one seen, as in the perl script. */
  get event(): string | undefined {
    return this.#event;
  }

  /** The facts of the header buf[from, to) when one read before has its shape; never when timed. */
  known(buf: Uint8Array, from: number, to: number): HeaderFacts | undefined {
    return this.#timed ? undefined : this.#cache.find(buf, from, to);
  }

  /**
   * Reads an event header (kept, or filtered for its event); undefined when the line is none (it may be
   * a frame line). With `buf`, the line's bytes start at buf[from]: its shape is kept.
   */
  read(line: string, buf?: Uint8Array, from = 0): HeaderFacts | undefined {
    const m = EVENT_HEADER.exec(line);
    if (!m) return undefined;
    const ev = EVENT_NAME.exec(line);
    const period = this.#eventPeriod(ev);
    const pname = period === undefined ? '' : this.#processName(m);
    const facts: HeaderFacts = {
      pname,
      isJava: pname.startsWith('java'),
      // A missing or zero period counts as one sample.
      period: Number(period) || 1,
      // Mixing events (cycles and instructions, say) would add up unlike things.
      skip: period === undefined,
    };
    if (this.#timed) {
      if (!facts.skip) this.#readTime(line, m);
    } else if (buf !== undefined && ev !== null && line.length === Buffer.byteLength(line)) {
      facts.pname = detach(pname);
      const span = this.#span;
      span.from = from;
      span.to = from + line.length;
      span.prefixBytes = m[0].length;
      span.suffixBytes = line.length - ev.index;
      this.#cache.remember(buf, span, facts);
    }
    return facts;
  }

  /** The thread (`comm pid/tid`) and time of a sample header, for the timeline. */
  #readTime(line: string, m: RegExpExecArray): void {
    this.thread = `${m[1] ?? ''} ${m[2] ?? ''}/${m[3] ?? m[2] ?? ''}`;
    const time = EVENT_TIME.exec(line.slice(m[0].length - 1));
    this.time = time ? Number(time[1]) : Number.NaN;
  }

  /** The header's period ('' when it has none); undefined when its event is not the first sample's. */
  #eventPeriod(ev: RegExpExecArray | null): string | undefined {
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
    if (this.#naming.tid) pname = `${comm}-${pid}/${tid}`;
    else if (this.#naming.pid) pname = `${comm}-${pid}`;
    return pname.replaceAll(' ', '_');
  }
}
