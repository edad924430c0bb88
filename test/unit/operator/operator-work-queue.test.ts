import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorkQueue } from '../../../operator/work-queue.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('operator work queue', () => {
  it('never reconciles one key twice at once, and reconciles it once more when it changed meanwhile', async () => {
    const running = new Set<string>();
    const calls: string[] = [];
    const gate = deferred();
    let overlaps = 0;
    const queue = createWorkQueue({
      workers: 4,
      handle: async (key) => {
        if (running.has(key)) overlaps += 1;
        running.add(key);
        calls.push(key);
        if (calls.length === 1) await gate.promise;
        running.delete(key);
        return undefined;
      },
      onError: () => undefined,
    });
    queue.add('ns/a');
    await sleep(5);
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    await sleep(5);
    assert.deepEqual(calls, ['ns/a', 'ns/b'], 'b runs beside a; a waits for its own first run');
    gate.resolve();
    await queue.idle();
    assert.deepEqual(calls, ['ns/a', 'ns/b', 'ns/a'], 'two adds during the run make one more run');
    assert.equal(overlaps, 0);
    queue.stop();
  });

  it('retries a failing key with growing backoff until it succeeds', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const queue = createWorkQueue({
      baseDelayMs: 10,
      maxDelayMs: 1000,
      random: () => 1,
      handle: () => {
        attempts += 1;
        return attempts <= 3 ? Promise.reject(new Error(`attempt ${attempts}`)) : Promise.resolve(undefined);
      },
      onError: (_key, _error, retryInMs) => delays.push(retryInMs),
    });
    queue.add('ns/a');
    await sleep(200);
    await queue.idle();
    assert.equal(attempts, 4);
    assert.deepEqual(delays, [10, 20, 40]);
    queue.stop();
  });

  it('looks at a key again after the delay a reconcile asks for, and the earlier of two timers wins', async () => {
    const seen: number[] = [];
    const started = Date.now();
    const queue = createWorkQueue({
      handle: () => {
        seen.push(Date.now() - started);
        return Promise.resolve(seen.length === 1 ? 60 : undefined);
      },
      onError: () => undefined,
    });
    queue.add('ns/a');
    queue.add('ns/b', 5000);
    queue.add('ns/b', 30);
    await sleep(150);
    assert.equal(seen.length, 3, 'a at once, b after 30 ms, a again after 60 ms');
    assert.ok((seen[1] ?? 0) >= 25 && (seen[2] ?? 0) >= 55, String(seen));
    queue.stop();
  });
});
