// One continuous sink's export of windows (window-export.ts runs one per sink, on the leader only): each
// pass lists the hours from the sink's cursor to now, pushes the windows due in start order, a batch at a
// time, and writes the sink's state (core/sinks/window-cursor.ts) into the window store after each batch,
// so a restart or a new leader takes up where the last batch ended. A push the sink may take later holds
// the cursor at its window and backs the sink off (sinkDelivery's backoff); a window gone from the store
// (compaction, retention) is counted as dropped; anything else that fails is counted and not retried.
//
// Pushed once: a key is settled only after the sink's 2xx, and the state goes to the store after each
// batch. A leader killed between the sink's answer and that write pushes that batch's windows again;
// the X-Furnace-Window header (the window's key) lets a receiver drop the repeats.
import { Readable } from 'node:stream';
import { backoffDelay } from '../../core/backoff.ts';
import { judgePush, type PushOutcome } from '../../core/sinks/delivery.ts';
import type { PushRequest } from '../../core/sinks/push-request.ts';
import type { SinkConfig, SinkDeliverySettings } from '../../core/sinks/sink.ts';
import {
  advance,
  owedWindows,
  parseCursor,
  settle,
  startCursor,
  windowsDue,
  type WindowCursor,
} from '../../core/sinks/window-cursor.ts';
import { windowPushRequest, windowSubject, type ExportedWindow } from '../../core/sinks/window-push.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { hourOf, hourStart, parseWindowKey } from '../continuous/window-keys.ts';
import type { WindowStore } from '../continuous/window-store.ts';
import type { OpenBody } from './push-http.ts';
import type { WindowSinkMetrics } from './window-metrics.ts';

export interface SinkWindowsDeps {
  sink: SinkConfig;
  settings: SinkDeliverySettings;
  windows: WindowStore;
  /** The sample rate windows were taken at (agent.continuous.frequency). */
  frequency: number;
  send: (sink: SinkConfig, push: PushRequest, openBody: OpenBody) => Promise<PushOutcome>;
  now: () => number;
  random: () => number;
  leads: () => boolean;
  log: { info(msg: string): void; warn(msg: string): void };
  metrics: WindowSinkMetrics;
  /** Windows pushed per batch (the state is written after each). */
  batch: number;
}

const HOUR_MS = 3_600_000;

/** The state object of a sink in the window store. */
export const stateName = (sink: string): string => `sink-${sink}.json`;

function listedOf(key: string): ExportedWindow | undefined {
  const meta = parseWindowKey(key);
  return meta ? { key, ...meta } : undefined;
}

const startOf = (key: string): number => parseWindowKey(key)?.start ?? Number.NEGATIVE_INFINITY;

type Result = 'settled' | 'retry';

export class SinkWindows {
  readonly #deps: SinkWindowsDeps;
  #state: WindowCursor | undefined;
  #written = '';
  #failures = 0;
  #nextAttemptAt = 0;
  /** Keys counted as dropped when they were removed; not counted again if a push then finds them gone. */
  readonly #dropped = new Set<string>();

  constructor(deps: SinkWindowsDeps) {
    this.#deps = deps;
  }

  get name(): string {
    return this.#deps.sink.name;
  }

  /** The state as this replica holds it (undefined before the first pass as leader). */
  state(): WindowCursor | undefined {
    return this.#state;
  }

  #takes = (namespace: string): boolean =>
    this.#deps.sink.namespaces === undefined || this.#deps.sink.namespaces.includes(namespace);

  async #load(now: number): Promise<WindowCursor> {
    const text = await this.#deps.windows.readState(stateName(this.name));
    const stored = text === undefined ? undefined : parseCursor(text);
    if (text !== undefined && stored === undefined)
      this.#deps.log.warn(`sink ${this.name}: its window state could not be read; starting afresh`);
    this.#written = text ?? '';
    return stored ?? startCursor(now, this.#deps.settings.windowGraceSeconds * 1000);
  }

  async #save(): Promise<void> {
    const text = JSON.stringify(this.#state);
    if (text === this.#written || !this.#deps.leads()) return;
    await this.#deps.windows.writeState(stateName(this.name), text);
    this.#written = text;
  }

  /** One pass: push what is due, move the cursor, write the state. */
  async pass(): Promise<void> {
    if (!this.#deps.leads()) {
      this.#state = undefined; // another replica moves it now; read it again when leading again
      return;
    }
    const now = this.#deps.now();
    if (now < this.#nextAttemptAt) return;
    this.#state ??= await this.#load(now);
    const oldestOwed = await this.#pushFrom(now);
    // Leadership lost midway: the pass stopped before what is due was pushed, so the cursor stays.
    if (this.#state === undefined || !this.#deps.leads()) return;
    this.#state = advance(this.#state, {
      now,
      graceMs: this.#deps.settings.windowGraceSeconds * 1000,
      ...(oldestOwed !== undefined ? { oldestOwed } : {}),
      startOf,
    });
    for (const key of this.#dropped) if (startOf(key) < this.#state.cursor) this.#dropped.delete(key);
    await this.#save();
    this.#backOff(oldestOwed !== undefined, now);
  }

  #backOff(failed: boolean, now: number): void {
    const { settings } = this.#deps;
    if (!failed) {
      if (this.#failures > 0) this.#deps.log.info(`sink ${this.name}: takes windows again`);
      this.#failures = 0;
      this.#nextAttemptAt = 0;
      return;
    }
    this.#failures += 1;
    const delay = backoffDelay(
      this.#failures,
      this.#deps.random(),
      settings.initialBackoffSeconds * 1000,
      settings.maxBackoffSeconds * 1000,
    );
    this.#nextAttemptAt = now + delay;
  }

  /** Pushes the due windows hour by hour; answers the start of the oldest window to try again, if any. */
  async #pushFrom(now: number): Promise<number | undefined> {
    const namespaces = await this.#namespaces();
    const first = hourStart(hourOf(this.#state?.cursor ?? now));
    for (let hour = first; hour <= now; hour += HOUR_MS) {
      const listed: ExportedWindow[] = [];
      for (const namespace of namespaces)
        for await (const key of this.#deps.windows.list(`${namespace}/${hourOf(hour)}/`)) {
          const window = listedOf(key);
          if (window) listed.push(window);
        }
      if (this.#state === undefined) return undefined;
      const owed = await this.#pushAll(windowsDue(this.#state, listed, this.#takes));
      if (owed !== undefined) return owed;
    }
    return undefined;
  }

  async #namespaces(): Promise<string[]> {
    if (this.#deps.sink.namespaces !== undefined) return [...this.#deps.sink.namespaces];
    const all: string[] = [];
    for await (const namespace of this.#deps.windows.namespaces()) all.push(namespace);
    return all;
  }

  async #pushAll(due: readonly ExportedWindow[]): Promise<number | undefined> {
    for (let from = 0; from < due.length; from += this.#deps.batch) {
      if (!this.#deps.leads() || this.#state === undefined) return undefined;
      const chunk = due.slice(from, from + this.#deps.batch);
      const results = await inParallel(chunk, this.#deps.settings.concurrency, (w) => this.#pushOne(w));
      const settled = chunk.filter((_w, i) => results[i] === 'settled').map((w) => w.key);
      this.#state = settle(this.#state, settled);
      await this.#save();
      // A window to try again, or one not tried after it: owed.
      const owed = chunk.filter((_w, i) => results[i] !== 'settled').map((w) => w.start);
      if (owed.length > 0) return Math.min(...owed);
    }
    return undefined;
  }

  async #body(window: ExportedWindow): Promise<Buffer | undefined> {
    const { sink, windows } = this.#deps;
    if (sink.type === 'pyroscope' && sink.format === 'pprof') return windows.getProfile(window.key);
    const folded = await windows.get(window.key);
    if (folded === undefined || sink.type === 'pyroscope')
      return folded === undefined ? undefined : Buffer.from(folded);
    // Loaded at the first push, not at every server's start: protobuf and its generated schemas.
    const { exportProfile } = await import('../../core/export/profile-exports.ts');
    return exportProfile('profile.otlp.pb', parseFolded(folded), {
      frequency: this.#deps.frequency,
      startedAtMs: window.start,
      durationMs: window.end - window.start,
      subject: windowSubject(window),
    });
  }

  async #pushOne(window: ExportedWindow): Promise<Result> {
    const { sink, metrics } = this.#deps;
    const body = await this.#body(window);
    if (body === undefined) {
      if (!this.#dropped.has(window.key)) this.#countDropped([window.key], 'was gone from the store');
      return 'settled';
    }
    const request = windowPushRequest(sink, window, this.#deps.frequency);
    const open = () => Promise.resolve({ body: Readable.from([body]), bytes: body.length });
    const verdict = judgePush(await this.#deps.send(sink, request, open));
    if (verdict.delivered) {
      metrics?.pushed(sink.name, 'delivered');
      return 'settled';
    }
    const tooOld = this.#deps.now() - window.end > this.#deps.settings.maxAgeSeconds * 1000;
    if (!verdict.retry || tooOld) {
      metrics?.pushed(sink.name, 'failed');
      const why = tooOld
        ? `; older than sinkDelivery.maxAgeSeconds (${this.#deps.settings.maxAgeSeconds})`
        : '';
      this.#deps.log.warn(`sink ${sink.name}: window ${window.key} not pushed: ${verdict.error}${why}`);
      return 'settled';
    }
    if (this.#failures === 0)
      this.#deps.log.warn(`sink ${sink.name}: window ${window.key} will be pushed again: ${verdict.error}`);
    metrics?.pushed(sink.name, 'retried');
    return 'retry';
  }

  #countDropped(keys: readonly string[], why: string): void {
    for (const key of keys) this.#dropped.add(key);
    this.#deps.metrics.dropped(this.name, keys.length);
    const first = keys[0] ?? '';
    this.#deps.log.warn(
      `sink ${this.name}: ${keys.length} continuous window(s) ${why} before they were pushed (first ${first}); counted on furnace_sink_windows_dropped_total`,
    );
  }

  /** Windows about to be removed (compaction, retention): those still owed to this sink are drops. */
  removing(keys: readonly string[]): void {
    if (this.#state === undefined) return;
    const removed = keys.flatMap((key) => listedOf(key) ?? []);
    const owed = owedWindows(this.#state, removed, this.#takes)
      .map((w) => w.key)
      .filter((key) => !this.#dropped.has(key));
    if (owed.length > 0) this.#countDropped(owed, 'were removed by compaction or retention');
  }

  /** The cursor's lag behind the clock and the keys remembered, for the metrics. */
  gauges(now: number): { sink: string; lagSeconds: number; keys: number } {
    const state = this.#state;
    return {
      sink: this.name,
      lagSeconds: state ? Math.max(0, (now - state.cursor) / 1000) : 0,
      keys: state?.settled.length ?? 0,
    };
  }
}

/**
 * Maps items with at most `limit` calls in flight, in the items' order; after a `retry` no further item is
 * started (a sink that is down gets one attempt per pass, not one per window), and those answer undefined.
 */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<Result>,
): Promise<(Result | undefined)[]> {
  const results: (Result | undefined)[] = new Array<Result | undefined>(items.length);
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop) {
      const index = next++;
      results[index] = await fn(items[index] as T);
      if (results[index] === 'retry') stop = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
