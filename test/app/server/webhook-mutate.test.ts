import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import { applyPatch } from '../../../core/injection/compute-patch.ts';
import { INJECTED_ANNOTATION } from '../../../core/contract/names.ts';
import { podReview } from '../../harness/admission-review.ts';
import { buildTestWebhook, metricValue, optedInPod } from './webhook-support.ts';

interface ReviewBody {
  apiVersion: string;
  kind: string;
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; warnings?: string[] };
}

function patchOf(body: ReviewBody): Operation[] {
  return JSON.parse(Buffer.from(body.response.patch ?? '', 'base64').toString()) as Operation[];
}

describe('POST /mutate', () => {
  it('answers an opted-in pod with a JSON patch that adds the sidecar beside what it has', async (t) => {
    const { app, registry, logs } = await buildTestWebhook(t);
    const pod = optedInPod();
    const res = await app.inject({ method: 'POST', url: '/mutate', payload: podReview(pod) });
    assert.equal(res.statusCode, 200);
    const body = res.json<ReviewBody>();
    assert.equal(body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(body.kind, 'AdmissionReview');
    assert.equal(body.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(body.response.allowed, true);
    assert.equal(body.response.patchType, 'JSONPatch');
    const patch = patchOf(body);
    assert.ok(patch.every((op) => op.op === 'add' || op.path === '/spec/shareProcessNamespace'));
    const patched = applyPatch<V1Pod>(pod, patch);
    assert.deepEqual(
      patched.spec?.containers.map((c) => c.name),
      ['web', 'furnace'],
    );
    assert.equal(patched.metadata?.annotations?.team, 'a');
    assert.ok(patched.metadata?.annotations?.[INJECTED_ANNOTATION]);
    assert.equal(await metricValue(registry, { decision: 'inject', reason: 'opted-in-label' }), 1);
    assert.ok(logs.some((l) => l.msg === 'furnace sidecar injected' && l.uid === body.response.uid));
  });

  it('allows without a patch, with the reason counted, a pod that is not opted in or already injected', async (t) => {
    const { app, registry } = await buildTestWebhook(t);
    const plain = optedInPod();
    delete plain.metadata?.labels?.furnace;
    const injected = optedInPod();
    injected.spec?.containers.push({ name: 'furnace', image: 'x' });
    for (const pod of [plain, injected]) {
      const res = await app.inject({ method: 'POST', url: '/mutate', payload: podReview(pod) });
      assert.equal(res.statusCode, 200);
      const body = res.json<ReviewBody>();
      assert.equal(body.response.allowed, true);
      assert.equal(body.response.patch, undefined);
      assert.equal(body.response.patchType, undefined);
    }
    assert.equal(await metricValue(registry, { decision: 'skip', reason: 'pod-not-opted-in' }), 1);
    assert.equal(await metricValue(registry, { decision: 'skip', reason: 'container-named-furnace' }), 1);
  });

  it('allows other kinds and operations without a patch', async (t) => {
    const { app, registry } = await buildTestWebhook(t);
    const cases = [
      { operation: 'UPDATE', oldObject: optedInPod() },
      { operation: 'DELETE', object: null, oldObject: optedInPod() },
      { kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, object: { kind: 'Deployment' } },
      {
        kind: { group: '', version: 'v1', kind: 'Binding' },
        subResource: 'binding',
        object: { kind: 'Binding' },
      },
    ];
    for (const extra of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/mutate',
        payload: podReview(optedInPod(), extra),
      });
      assert.equal(res.statusCode, 200, JSON.stringify(extra));
      const body = res.json<ReviewBody>();
      assert.deepEqual(body.response, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
    }
    assert.equal(await metricValue(registry, { decision: 'skip', reason: 'not-create' }), 2);
    assert.equal(await metricValue(registry, { decision: 'skip', reason: 'not-a-pod' }), 2);
  });

  it('gives a dry-run request the same answer as a real one', async (t) => {
    const { app } = await buildTestWebhook(t);
    const real = await app.inject({ method: 'POST', url: '/mutate', payload: podReview(optedInPod()) });
    const dry = await app.inject({
      method: 'POST',
      url: '/mutate',
      payload: podReview(optedInPod(), { dryRun: true }),
    });
    assert.equal(dry.statusCode, 200);
    assert.deepEqual(dry.json(), real.json());
  });

  it('answers GET /healthz', async (t) => {
    const { app } = await buildTestWebhook(t);
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });
});
