// The webhook's log: one line per admission, written when its answer has gone out, with the decision and
// the time the call took inside the server; no request lines of Fastify's besides it (at 50 pod creates/s
// they were two of every three lines the listener wrote).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podReview } from '../../harness/admission-review.ts';
import { buildTestWebhook, optedInPod } from './webhook-support.ts';

describe('the webhook log', () => {
  it('writes one line per admission with its decision, status and time, and no request lines', async (t) => {
    const { app, logs } = await buildTestWebhook(t);
    const plain = optedInPod();
    delete plain.metadata?.labels?.furnace;
    for (const pod of [optedInPod(), plain]) {
      const res = await app.inject({ method: 'POST', url: '/mutate', payload: podReview(pod) });
      assert.equal(res.statusCode, 200);
    }
    await app.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual(
      logs.map((line) => line.msg),
      ['furnace sidecar injected', 'furnace sidecar not injected'],
    );
    const [injected, skipped] = logs;
    assert.equal(injected?.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(injected?.inject, true);
    assert.equal(injected?.statusCode, 200);
    assert.equal(typeof injected?.responseTime, 'number');
    assert.deepEqual(skipped?.reasons, ['pod-not-opted-in']);
  });

  it('still logs a rejected review (the error handler line), with no request lines', async (t) => {
    const { app, logs } = await buildTestWebhook(t);
    const res = await app.inject({ method: 'POST', url: '/mutate', payload: '{"kind":"Nope"}' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      logs.map((line) => line.msg),
      ['webhook request rejected'],
    );
  });
});
