// A queue of keys (namespace/name) for one controller. A key is handled by at most one worker at a time:
// a key added while it is being reconciled is marked dirty and reconciled once more afterwards, and a key
// added many times while it waits is reconciled once. Failures retry with exponential backoff
// (core/backoff.ts); a success resets the key's count.
import { backoffDelay } from '../core/backoff.ts';

export interface WorkQueueDeps {
  /** Reconciles one key; a number is "look again after this many ms". */
  handle: (key: string) => Promise<number | undefined>;
  onError: (key: string, error: unknown, retryInMs: number) => void;
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
  clearTimer?: (timer: NodeJS.Timeout) => void;
}

export interface WorkQueue {
  /** Queue the key now, or after `delayMs` (an earlier pending timer for the key wins). */
  add(key: string, delayMs?: number): void;
  /** Resolves when nothing is queued or running (keys waiting on a timer do not count). */
  idle(): Promise<void>;
  stop(): void;
}

export function createWorkQueue(deps: WorkQueueDeps): WorkQueue {
  return new KeyWorkQueue(deps);
}

class KeyWorkQueue implements WorkQueue {
  readonly #deps: WorkQueueDeps;
  readonly #workers: number;
  readonly #random: () => number;
  readonly #setTimer: (callback: () => void, ms: number) => NodeJS.Timeout;
  readonly #clearTimer: (timer: NodeJS.Timeout) => void;
  readonly #ready: string[] = [];
  readonly #queued = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #idleWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(deps: WorkQueueDeps) {
    this.#deps = deps;
    this.#workers = deps.workers ?? 2;
    this.#random = deps.random ?? Math.random;
    this.#setTimer = deps.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.#clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer));
  }

  add(key: string, delayMs?: number): void {
    if (delayMs !== undefined && delayMs > 0) this.#schedule(key, delayMs);
    else this.#enqueue(key);
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#notifyIdle();
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const { timer } of this.#timers.values()) this.#clearTimer(timer);
    this.#timers.clear();
    this.#ready.length = 0;
    this.#queued.clear();
    this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#ready.length > 0 || this.#running.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #enqueue(key: string): void {
    if (this.#stopped) return;
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#ready.push(key);
    this.#pump();
  }

  #schedule(key: string, delayMs: number): void {
    const at = Date.now() + delayMs;
    const pending = this.#timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.#clearTimer(pending.timer);
    const timer = this.#setTimer(() => {
      this.#timers.delete(key);
      this.#enqueue(key);
    }, delayMs);
    timer.unref?.();
    this.#timers.set(key, { at, timer });
  }

  async #work(key: string): Promise<void> {
    try {
      const requeueAfter = await this.#deps.handle(key);
      this.#failures.delete(key);
      if (requeueAfter !== undefined) this.#schedule(key, requeueAfter);
    } catch (error) {
      const count = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, count);
      const { baseDelayMs = 500, maxDelayMs = 60_000 } = this.#deps;
      const delay = backoffDelay(count, this.#random(), baseDelayMs, maxDelayMs);
      this.#deps.onError(key, error, delay);
      this.#schedule(key, delay);
    }
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#workers && this.#ready.length > 0) {
      const key = this.#ready.shift() as string;
      this.#queued.delete(key);
      this.#running.add(key);
      void this.#work(key).finally(() => {
        this.#running.delete(key);
        if (this.#dirty.delete(key)) this.#enqueue(key);
        this.#pump();
        this.#notifyIdle();
      });
    }
  }
}
