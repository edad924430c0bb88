import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEBHOOK_BODY_LIMIT } from '../../../server/webhook/build-webhook-app.ts';
import { podReview } from '../../harness/admission-review.ts';
import { buildTestWebhook, metricValue, optedInPod } from './webhook-support.ts';

interface ErrorBody {
  code: string;
  message: string;
}

describe('POST /mutate with bad input', () => {
  const cases: { name: string; payload: string; contentType?: string; message: RegExp }[] = [
    { name: 'not JSON', payload: '{"apiVersion": ', contentType: 'application/json', message: /JSON/ },
    { name: 'not JSON, no content type', payload: 'hello', message: /not JSON/ },
    { name: 'an empty body', payload: '', contentType: 'application/json', message: /empty/i },
    { name: 'a JSON list', payload: '[]', contentType: 'application/json', message: /must be object/ },
    {
      name: 'another kind',
      payload: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'TokenReview',
        request: { uid: 'u' },
      }),
      contentType: 'application/json',
      message: /not an AdmissionReview v1: kind "TokenReview" is invalid/,
    },
    {
      name: 'AdmissionReview v1beta1',
      payload: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1beta1',
        kind: 'AdmissionReview',
        request: { uid: 'u' },
      }),
      contentType: 'application/json',
      message: /apiVersion "admission.k8s.io\/v1beta1" is invalid/,
    },
    {
      name: 'no request',
      payload: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
      contentType: 'application/json',
      message: /: request is required/,
    },
    {
      name: 'no request.uid',
      payload: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { operation: 'CREATE' },
      }),
      contentType: 'application/json',
      message: /request\.uid is required/,
    },
    {
      name: 'an empty request.uid',
      payload: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: '' },
      }),
      contentType: 'application/json',
      message: /request\.uid "" is invalid/,
    },
  ];

  for (const c of cases) {
    it(`answers 400 with a message for ${c.name}`, async (t) => {
      const { app } = await buildTestWebhook(t);
      const headers = c.contentType ? { 'content-type': c.contentType } : {};
      const res = await app.inject({ method: 'POST', url: '/mutate', payload: c.payload, headers });
      assert.equal(res.statusCode, 400);
      const body = res.json<ErrorBody>();
      assert.equal(body.code, 'ERR_INVALID_PARAMETER');
      assert.match(body.message, c.message);
    });
  }

  it('answers 413 for a body over the API server limit of 3 MiB', async (t) => {
    const { app } = await buildTestWebhook(t);
    const review = podReview(optedInPod());
    (review.request as Record<string, unknown>).padding = 'x'.repeat(WEBHOOK_BODY_LIMIT);
    const res = await app.inject({
      method: 'POST',
      url: '/mutate',
      payload: JSON.stringify(review),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 413);
    const body = res.json<ErrorBody>();
    assert.equal(body.code, 'ERR_PAYLOAD_TOO_LARGE');
    assert.match(body.message, /3145728 bytes/);
  });

  it('admits the pod unchanged with a warning, logged at error level, when injection fails inside', async (t) => {
    const { app, registry, logs } = await buildTestWebhook(t);
    // No API server sends this, which is the point: the handler throws on it.
    const broken = { metadata: { labels: { furnace: 'yes' } }, spec: { containers: 42 } };
    const res = await app.inject({ method: 'POST', url: '/mutate', payload: podReview(broken) });
    assert.equal(res.statusCode, 200);
    const body = res.json<{
      response: { uid: string; allowed: boolean; patch?: string; warnings?: string[] };
    }>();
    assert.equal(body.response.allowed, true);
    assert.equal(body.response.patch, undefined);
    assert.match(body.response.warnings?.[0] ?? '', /not injected because of an internal error/);
    const errorLine = logs.find((l) => l.level === 50);
    assert.ok(errorLine, 'an error-level log line');
    assert.equal(errorLine.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(await metricValue(registry, { decision: 'error', reason: 'internal-error' }), 1);
  });

  it('answers 404, never 5xx, for other paths and methods', async (t) => {
    const { app } = await buildTestWebhook(t);
    assert.equal((await app.inject({ method: 'GET', url: '/mutate' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: '/validate', payload: {} })).statusCode, 404);
  });
});
