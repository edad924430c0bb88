// A replica near its memory limit refuses new requests (503 with Retry-After, naming the limit) instead of
// taking them until the kernel kills it; its probes and metrics still answer. Through both real listeners;
// the limits are set low so that this test process is "near" them (the measure is checked once a second).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bearer, postRegistration } from '../../harness/server-calls.ts';
import { buildFixture, PINNED_BODY } from './server-fixture.ts';

const CHECKED_MS = 1_300;
const MiB = 1024 * 1024;

/** A full collection now, as V8 makes one when the heap fills. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('load shedding near the memory limit', () => {
  it('answers 503 with Retry-After and the limit on both listeners, and keeps probes and metrics', async (t) => {
    const { app, recorder } = await buildFixture(t, {
      pressureLimits: { maxLiveHeapBytes: 4096 * MiB, maxAnonBytes: MiB },
    });

    const list = await app.inject({ method: 'GET', url: '/api/v1/sidecars' });
    assert.equal(list.statusCode, 503);
    assert.equal(list.headers['retry-after'], '5');
    const body = list.json<{ code: string; message: string; details: { limit: number } }>();
    assert.equal(body.code, 'ERR_UNAVAILABLE');
    assert.match(
      body.message,
      /its memory \(anonymous resident pages\) is \d+ MiB, over 1 MiB; try again in 5 s/,
    );
    assert.equal(body.details.limit, MiB);

    const registration = await postRegistration(recorder, bearer('any'), PINNED_BODY);
    assert.equal(registration.statusCode, 503);
    assert.equal(registration.headers['retry-after'], '5');

    for (const [listener, url] of [
      [app, '/healthz'],
      [app, '/readyz'],
      [app, '/metrics'],
      [recorder, '/healthz'],
      [recorder, '/readyz'],
    ] as const) {
      const probe = await listener.inject({ method: 'GET', url });
      assert.equal(probe.statusCode, 200, `${url} answered ${probe.statusCode}`);
    }
  });

  it('judges the heap by what a full collection leaves, not by garbage', async (t) => {
    const { app } = await buildFixture(t, { pressureLimits: { maxLiveHeapBytes: MiB, maxAnonBytes: 0 } });
    // Far more than 1 MiB in use, but no full collection yet since the listener started: not refused.
    const before = await app.inject({ method: 'GET', url: '/api/v1/sidecars' });
    assert.equal(before.statusCode, 200);
    collectGarbage();
    await sleep(CHECKED_MS);
    const after = await app.inject({ method: 'GET', url: '/api/v1/sidecars' });
    assert.equal(after.statusCode, 503);
    assert.match(
      after.json<{ message: string }>().message,
      /JavaScript heap left by the last full collection is \d+ MiB, over 1 MiB/,
    );
  });

  it('keeps judging the heap on one listener after the other has closed', async (t) => {
    const { app, recorder } = await buildFixture(t, {
      pressureLimits: { maxLiveHeapBytes: MiB, maxAnonBytes: 0 },
    });
    await recorder.close();
    collectGarbage();
    await sleep(CHECKED_MS);
    const after = await app.inject({ method: 'GET', url: '/api/v1/sidecars' });
    assert.equal(after.statusCode, 503, 'the user listener still sees the full collection');
  });

  it('takes requests as usual under the process’s own limits', async (t) => {
    const { app } = await buildFixture(t);
    collectGarbage();
    await sleep(CHECKED_MS);
    const list = await app.inject({ method: 'GET', url: '/api/v1/sidecars' });
    assert.equal(list.statusCode, 200);
  });
});
