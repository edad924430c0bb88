// The delivery loop: queues a push for every sink that takes a recording once its folded stacks are in
// the catalog (each push is written from them and the server's entry: recording-body.ts), and works the queue in the background, a few pushes at a time, retrying
// with backoff. Nothing waits for it: recording, uploads and the catalog go on whether a sink answers
// or not. Each push's state is written on the recording's catalog entry (pending, delivered, failed,
// with attempts and the last error in words), before the queue forgets it.
//
// Delivered once: a push leaves the queue only after its delivered state is on the entry. A server that
// dies between a sink's 2xx and that write pushes again after its restart (the X-Furnace-Recording-Id
// header lets a receiver drop the repeat); nothing is pushed twice otherwise.
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { afterFailure, judgePush, type PushOutcome, type SinkDelivery } from '../../core/sinks/delivery.ts';
import { pushRequestOf, type PushRequest } from '../../core/sinks/push-request.ts';
import { sinksFor } from '../../core/sinks/sink-choice.ts';
import type { SinkConfig, SinkDeliverySettings } from '../../core/sinks/sink.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import type { OpenBody } from './push-http.ts';
import { openRecordingBody, PUSH_SOURCE } from './recording-body.ts';
import type { QueuedPush, SinkQueue } from './sink-queue.ts';
import { SILENT_LOG } from '../operations/logging.ts';
import { NO_SINK_METRICS, type SinkMetrics } from './sink-metrics.ts';
import type { WatchVerdict } from '../regressions/watch-verdicts.ts';

export interface SinkDeliveryDeps {
  sinks: readonly SinkConfig[];
  settings: SinkDeliverySettings;
  queue: SinkQueue;
  catalog: Catalog;
  send: (sink: SinkConfig, push: PushRequest, openBody: OpenBody) => Promise<PushOutcome>;
  now: () => number;
  random?: () => number;
  log?: FastifyBaseLogger;
  metrics?: SinkMetrics;
  /**
   * A rollout watch's verdict on a recording it recorded: a push waits while it is pending (up to
   * VERDICT_WAIT_MS after it was queued) and then carries it as a label. None when unset (local mode).
   */
  verdictOf?: (recordingId: string) => Promise<WatchVerdict>;
  /**
   * Several replicas: only the leader queues and pushes (each replica sees every change of a shared
   * catalog). True when unset (one replica).
   */
  isLeader?: () => boolean;
}

export interface SinkDeliveryLoop {
  /** Queues the pushes a catalog entry is due (called for every change of the catalog). */
  consider(id: string): Promise<void>;
  /** Looks at the queue now rather than at the next due time. */
  kick(): void;
  /** Stops taking new attempts and waits for the ones in flight. */
  stop(): Promise<void>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/**
 * Whether the entry says a push to `sink` was delivered or failed. A pending push that is not in this
 * replica's queue was queued by an earlier leader: it is queued again.
 */
const settled = (entry: CatalogEntry, sink: string): boolean =>
  (entry.deliveries ?? []).some((d) => d.sink === sink && d.state !== 'pending');
/** The longest the loop sleeps, so a clock step never strands a push. */
const MAX_SLEEP_MS = 30_000;

/**
 * How long a push of a recording a rollout watch is comparing waits for the verdict: the operator compares
 * once every pod of the version is recorded and processed. Past it, the push goes without the label.
 */
export const VERDICT_WAIT_MS = 10 * 60_000;
/** How often a waiting push asks again (the verdicts come from a list read at most every 15 s). */
export const VERDICT_POLL_MS = 5_000;

/** The deps with what a caller may leave out filled in once: no log, no metrics, one replica, no watches. */
type FilledDeps = Required<SinkDeliveryDeps>;

const NO_VERDICT = (): Promise<WatchVerdict> => Promise.resolve({ state: 'none' });

function filled(deps: SinkDeliveryDeps): FilledDeps {
  const { random = Math.random, log = SILENT_LOG, metrics = NO_SINK_METRICS, isLeader = () => true } = deps;
  return { ...deps, random, log, metrics, isLeader, verdictOf: deps.verdictOf ?? NO_VERDICT };
}

export function startSinkDelivery(given: SinkDeliveryDeps): SinkDeliveryLoop {
  const deps = filled(given);
  const loop = new DeliveryLoop(deps);
  deps.metrics.watchQueue(() => deps.queue.size());
  loop.schedule(0);
  return {
    consider: (id) =>
      loop.consider(id).catch((error: unknown) => loop.warn(error, `could not queue the pushes of ${id}`)),
    kick: () => loop.schedule(0),
    stop: () => loop.stop(),
  };
}

class DeliveryLoop {
  readonly #deps: FilledDeps;
  readonly #inFlight = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: FilledDeps) {
    this.#deps = deps;
  }

  warn(error: unknown, what: string): void {
    this.#deps.log.warn({ err: error }, what);
  }

  #leads(): boolean {
    return this.#deps.isLeader();
  }

  async consider(id: string): Promise<void> {
    const { catalog, queue } = this.#deps;
    const entry = catalog.get(id);
    if (!entry || entry.state !== 'done' || !this.#leads()) return;
    for (const sink of sinksFor(this.#deps.sinks, entry.namespace, entry.params.sinks)) {
      // Read again for each sink: a push settled while an earlier one was queued is on the entry now
      // (its state is written before it leaves the queue), so it is not queued twice.
      const current = catalog.get(id);
      if (!current || settled(current, sink.name) || queue.has(id, sink.name)) continue;
      // Every push is written from the folded stacks (recording-body.ts).
      if (!current.artifacts.some((a) => a.name === PUSH_SOURCE)) continue;
      await this.#queuePush(current, sink);
    }
    this.schedule(0);
  }

  async #queuePush(entry: CatalogEntry, sink: SinkConfig): Promise<void> {
    const now = this.#deps.now();
    const push: QueuedPush = {
      recordingId: entry.id,
      sink: sink.name,
      queuedAt: now,
      attempts: 0,
      nextAttemptAt: now,
    };
    const added = await this.#deps.queue.add(push);
    if (added === 'present') return;
    const delivery: SinkDelivery =
      added === 'added'
        ? { sink: sink.name, state: 'pending', attempts: 0, updatedAt: iso(now), nextAttemptAt: iso(now) }
        : {
            sink: sink.name,
            state: 'failed',
            attempts: 0,
            updatedAt: iso(now),
            lastError: `the delivery queue is full (${this.#deps.settings.maxQueued} pushes waiting, sinkDelivery.maxQueued)`,
          };
    if (added === 'full') this.#deps.metrics.pushed(sink.name, 'failed');
    await this.#deps.catalog.setDelivery(entry.id, delivery);
  }

  async #giveUp(push: QueuedPush, error: string): Promise<void> {
    await this.#deps.queue.remove(push.recordingId, push.sink);
    const delivery: SinkDelivery = {
      sink: push.sink,
      state: 'failed',
      attempts: push.attempts,
      lastError: error,
      updatedAt: iso(this.#deps.now()),
    };
    await this.#deps.catalog.setDelivery(push.recordingId, delivery);
    this.#deps.metrics.pushed(push.sink, 'failed');
  }

  async #attempt(push: QueuedPush): Promise<void> {
    const { catalog, queue } = this.#deps;
    const sink = this.#deps.sinks.find((s) => s.name === push.sink);
    const entry = catalog.get(push.recordingId);
    if (!entry) return queue.remove(push.recordingId, push.sink);
    if (!sink) return this.#giveUp(push, `sink ${push.sink} is no longer in the server's configuration`);
    const watch = await this.#deps.verdictOf(entry.id);
    if (watch.state === 'pending' && this.#deps.now() - push.queuedAt < VERDICT_WAIT_MS)
      return queue.update({ ...push, nextAttemptAt: this.#deps.now() + VERDICT_POLL_MS });
    const regression = watch.state === 'known' ? watch.verdict : undefined;
    const request = pushRequestOf(sink, entry, regression);
    const outcome = await this.#deps.send(sink, request, () =>
      openRecordingBody(catalog, entry, request.artifact, regression),
    );
    const verdict = judgePush(outcome);
    const attempts = push.attempts + 1;
    const now = this.#deps.now();
    if (verdict.delivered) {
      await catalog.setDelivery(entry.id, {
        sink: sink.name,
        state: 'delivered',
        attempts,
        updatedAt: iso(now),
      });
      await queue.remove(entry.id, sink.name);
      this.#deps.metrics.pushed(sink.name, 'delivered');
      return;
    }
    const random = this.#deps.random();
    const context = { now, queuedAt: push.queuedAt, random, settings: this.#deps.settings };
    const next = afterFailure({ sink: sink.name, attempts }, verdict, context);
    if (next.state === 'failed') return this.#giveUp({ ...push, attempts }, next.lastError ?? verdict.error);
    const nextAttemptAt = Date.parse(next.nextAttemptAt ?? iso(now));
    await queue.update({ ...push, attempts, nextAttemptAt, lastError: verdict.error });
    await catalog.setDelivery(entry.id, next);
    this.#deps.metrics.pushed(sink.name, 'retried');
  }

  #pump(): void {
    if (this.#stopped) return;
    if (!this.#leads()) return this.schedule(MAX_SLEEP_MS);
    const now = this.#deps.now();
    let waiting = false;
    for (const push of this.#deps.queue.due(now)) {
      const key = `${push.recordingId}~${push.sink}`;
      if (this.#inFlight.has(key)) continue;
      if (this.#inFlight.size >= this.#deps.settings.concurrency) {
        waiting = true; // taken up when a push in flight ends
        break;
      }
      const work = this.#attempt(push)
        .catch((error: unknown) =>
          this.warn(error, `push of ${push.recordingId} to sink ${push.sink} failed`),
        )
        .finally(() => {
          this.#inFlight.delete(key);
          this.schedule(0);
        });
      this.#inFlight.set(key, work);
    }
    if (waiting) return;
    const next = this.#deps.queue.nextDue(now);
    this.schedule(Math.min(MAX_SLEEP_MS, next === undefined ? MAX_SLEEP_MS : next - now));
  }

  schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#pump(), delayMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inFlight.values()]);
  }
}
