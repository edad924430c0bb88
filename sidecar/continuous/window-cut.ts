// Cuts the text of one long-running `perf script` (fields comm,pid,tid,time,…, perf record run with
// `-k CLOCK_REALTIME`, so each sample's time is wall-clock seconds) into windows by the samples' own times:
// window k is [origin + k·length, origin + (k+1)·length). Each sample goes, as it arrives, into its window's
// collapser (small tables, PID kept in the root frame); no window's text is ever held. A window closes
// when a sample past its end arrives (perf script prints samples in time order) or a grace after its end
// by the clock, whichever comes first; a sample of a window already closed is late and counted, not sent.
import { StackCollapser } from '../../core/stacks/collapse-perf.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';

export interface CutWindow {
  start: number;
  end: number;
  stacks: FoldedStacks;
}

export interface WindowCutOptions {
  /** Wall-clock ms where window 0 starts (when the perf pair started). */
  origin: number;
  lengthMs: number;
  /** How long after its end a window waits for late samples, at most. */
  graceMs: number;
}

/** The longest sample text kept while its end has not arrived (perf's deepest stacks are a few KB). */
const MAX_SAMPLE_BYTES = 1 << 20;
const SAMPLE_END = Buffer.from('\n\n');
// `comm pid/tid seconds.micros: event:`: the first `<digits>.<digits>:` after the PID.
const SAMPLE_TIME = /\s(\d+)\.(\d+):/;

/** The wall-clock ms of a sample's header line; undefined when it has no time. Pure. */
export function sampleTimeMs(header: string): number | undefined {
  const m = SAMPLE_TIME.exec(header);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  // The fraction as nanoseconds (perf prints 6 digits, 9 with --ns), so a boundary is compared exactly.
  return Number(m[1]) * 1000 + Number(m[2].padEnd(9, '0').slice(0, 9)) / 1e6;
}

export class WindowCutter {
  readonly #open = new Map<number, StackCollapser>();
  readonly #closed: CutWindow[] = [];
  /** Windows up to this index are closed; their samples are late. */
  #closedThrough = -1;
  #carry: Buffer = Buffer.alloc(0);
  #late = 0;
  #untimed = 0;

  private readonly options: WindowCutOptions;

  constructor(options: WindowCutOptions) {
    this.options = options;
  }

  /** Samples that arrived after their window had closed, since the last call. */
  takeLate(): number {
    const late = this.#late;
    this.#late = 0;
    return late;
  }

  /** Samples without a readable time (or too long to keep), since the last call. */
  takeUntimed(): number {
    const untimed = this.#untimed;
    this.#untimed = 0;
    return untimed;
  }

  /** Windows that closed since the last call, oldest first. */
  takeClosed(): CutWindow[] {
    return this.#closed.splice(0);
  }

  /** perf script's output, cut anywhere. */
  push(chunk: Buffer): void {
    const text = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    let from = 0;
    for (let end = text.indexOf(SAMPLE_END, from); end >= 0; end = text.indexOf(SAMPLE_END, from)) {
      this.#sample(text.subarray(from, end + 2));
      from = end + 2;
    }
    this.#carry = Buffer.from(text.subarray(from));
    if (this.#carry.length > MAX_SAMPLE_BYTES) {
      this.#carry = Buffer.alloc(0);
      this.#untimed += 1;
    }
  }

  /** When `closeDue` will next close a window: 0 when one is closed already, Infinity with none open. */
  nextCloseAt(): number {
    if (this.#closed.length > 0) return 0;
    if (this.#open.size === 0) return Number.POSITIVE_INFINITY;
    const { origin, lengthMs, graceMs } = this.options;
    return origin + (Math.min(...this.#open.keys()) + 1) * lengthMs + graceMs;
  }

  /** Closes the windows whose grace has passed at `now`. */
  closeDue(now: number): void {
    const { origin, lengthMs, graceMs } = this.options;
    const through = Math.floor((now - graceMs - origin) / lengthMs) - 1;
    this.#closeThrough(through);
  }

  /** perf script ended at `endedAt`: every open window closes, the last one at `endedAt` if that is earlier. */
  finish(endedAt: number): void {
    if (this.#carry.length > 0) this.push(Buffer.from('\n\n'));
    this.#carry = Buffer.alloc(0);
    this.#closeThrough(Math.max(this.#closedThrough, ...this.#open.keys()), endedAt);
  }

  #sample(text: Buffer): void {
    let start = 0;
    while (start < text.length && text[start] === 10) start += 1;
    if (start === text.length) return;
    const lineEnd = text.indexOf(10, start);
    const time = sampleTimeMs(text.toString('latin1', start, lineEnd < 0 ? text.length : lineEnd));
    if (time === undefined) {
      this.#untimed += 1;
      return;
    }
    const { origin, lengthMs } = this.options;
    const index = Math.max(0, Math.floor((time - origin) / lengthMs));
    if (index <= this.#closedThrough) {
      this.#late += 1;
      return;
    }
    this.#closeThrough(index - 1);
    let collapser = this.#open.get(index);
    if (collapser === undefined) {
      collapser = new StackCollapser({ pid: true, small: true });
      this.#open.set(index, collapser);
    }
    collapser.push(text.subarray(start));
  }

  #closeThrough(index: number, endedAt = Number.POSITIVE_INFINITY): void {
    if (index <= this.#closedThrough) return;
    this.#closedThrough = index;
    const { origin, lengthMs } = this.options;
    for (const k of [...this.#open.keys()].sort((a, b) => a - b)) {
      if (k > index) continue;
      const collapser = this.#open.get(k);
      this.#open.delete(k);
      if (collapser === undefined) continue;
      const start = origin + k * lengthMs;
      const end = Math.max(start, Math.min(start + lengthMs, Math.round(endedAt)));
      this.#closed.push({ start, end, stacks: collapser.end() });
    }
  }
}
