// A replica near its memory limit refuses new requests (503 with Retry-After, naming the limit) instead of
// taking them until the kernel kills it; its probes and metrics still answer. Through both real listeners;
// the limits are set low so that this test process is "near" them (the measuring is sampled once a second).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { bearer, postRegistration } from '../harness/server-calls.ts';
import { buildFixture, PINNED_BODY } from './server-fixture.ts';

const SAMPLED_MS = 1_200;

describe('load shedding near the memory limit', () => {
  it('answers 503 with Retry-After and the limit on both listeners, and keeps probes and metrics', async (t) => {
    const { app, recorder } = await buildFixture(t, {
      pressureLimits: { maxHeapUsedBytes: 1024 * 1024, maxRssBytes: 0 },
    });
    await sleep(SAMPLED_MS);

    const list = await app.inject({ method: 'GET', url: '/api/v1/sidecars' });
    assert.equal(list.statusCode, 503);
    assert.equal(list.headers['retry-after'], '5');
    const body = list.json<{ code: string; message: string; details: { limit: number } }>();
    assert.equal(body.code, 'ERR_UNAVAILABLE');
    assert.match(body.message, /JavaScript heap in use is at \d+ MiB, over 1 MiB; try again in 5 s/);
    assert.equal(body.details.limit, 1024 * 1024);

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

  it('takes requests as usual under the process’s own limits', async (t) => {
    const { app } = await buildFixture(t);
    await sleep(SAMPLED_MS);
    const list = await app.inject({ method: 'GET', url: '/api/v1/sidecars' });
    assert.equal(list.statusCode, 200);
  });
});
