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
  const workers = deps.workers ?? 2;
  const random = deps.random ?? Math.random;
  const setTimer = deps.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer));
  const ready: string[] = [];
  const queued = new Set<string>();
  const running = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  let idleWaiters: (() => void)[] = [];
  let stopped = false;

  function notifyIdle(): void {
    if (ready.length > 0 || running.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function enqueue(key: string): void {
    if (stopped) return;
    if (running.has(key)) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    ready.push(key);
    pump();
  }

  function schedule(key: string, delayMs: number): void {
    const at = Date.now() + delayMs;
    const pending = timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimer(pending.timer);
    const timer = setTimer(() => {
      timers.delete(key);
      enqueue(key);
    }, delayMs);
    timer.unref?.();
    timers.set(key, { at, timer });
  }

  async function work(key: string): Promise<void> {
    try {
      const requeueAfter = await deps.handle(key);
      failures.delete(key);
      if (requeueAfter !== undefined) schedule(key, requeueAfter);
    } catch (error) {
      const count = (failures.get(key) ?? 0) + 1;
      failures.set(key, count);
      const delay = backoffDelay(count, random(), deps.baseDelayMs ?? 500, deps.maxDelayMs ?? 60_000);
      deps.onError(key, error, delay);
      schedule(key, delay);
    }
  }

  function pump(): void {
    while (!stopped && running.size < workers && ready.length > 0) {
      const key = ready.shift() as string;
      queued.delete(key);
      running.add(key);
      void work(key).finally(() => {
        running.delete(key);
        if (dirty.delete(key)) enqueue(key);
        pump();
        notifyIdle();
      });
    }
  }

  return {
    add(key, delayMs) {
      if (delayMs !== undefined && delayMs > 0) schedule(key, delayMs);
      else enqueue(key);
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        notifyIdle();
      });
    },
    stop() {
      stopped = true;
      for (const { timer } of timers.values()) clearTimer(timer);
      timers.clear();
      ready.length = 0;
      queued.clear();
      notifyIdle();
    },
  };
}
