// The reads behind the recording form: a namespace's limits and a registered pod's containers.
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeGateway } from '../../../server/kube/kube-gateway.ts';
import { bearer } from '../../harness/server-calls.ts';
import { buildFixture, registerSidecar } from './server-fixture.ts';

describe('server UI reads', () => {
  it('answers the limits the proxy enforces, with the defaults a form starts from', async (t) => {
    const f = await buildFixture(t, { limits: { maxDurationSeconds: 120, maxFrequency: 499 } });
    const response = await f.app.inject({ method: 'GET', url: '/api/v1/limits?namespace=local' });
    assert.equal(response.statusCode, 200);
    const body = response.json<{ limits: Record<string, number>; defaults: Record<string, unknown> }>();
    assert.equal(body.limits.maxDurationSeconds, 120);
    assert.equal(body.limits.maxFrequency, 499);
    assert.deepEqual(body.defaults, { durationSeconds: 30, frequency: 99, symbols: 'proc' });
    const missing = await f.app.inject({ method: 'GET', url: '/api/v1/limits' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json<{ message: string }>().message, /namespace/);
  });

  it('lists a pod’s containers without the recorder, only for registered pods', async (t) => {
    const pod: V1Pod = {
      metadata: { name: 'web-1', namespace: 'team-a', uid: 'uid-1' },
      spec: { containers: [{ name: 'app' }, { name: 'furnace' }, { name: 'envoy' }] },
    };
    const kube: KubeGateway = fakeKubeGateway({
      reviews: { t: { authenticated: true, username: 'alice', groups: [] } },
      allows: (check) => check.namespace === 'team-a',
      pods: { 'team-a/web-1': pod },
    });
    const f = await buildFixture(t, {
      authMode: 'kubernetes',
      kube,
      registration: 'kubernetes',
      cachedPod: (namespace, name) => (namespace === 'team-a' && name === 'web-1' ? pod : undefined),
    });
    const containers = (namespace: string, pod: string) =>
      f.app.inject({
        method: 'GET',
        url: `/api/v1/pods/${namespace}/${pod}/containers`,
        headers: bearer('t'),
      });
    const unregistered = await containers('team-a', 'web-1');
    assert.equal(unregistered.statusCode, 404);
    registerSidecar(f, 'team-a', 'web-1', 9, 'uid-1');
    const listed = await containers('team-a', 'web-1');
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.json(), { namespace: 'team-a', pod: 'web-1', containers: ['app', 'envoy'] });
    registerSidecar(f, 'team-b', 'db-0', 9, 'uid-2');
    const forbidden = await containers('team-b', 'db-0');
    assert.equal(forbidden.statusCode, 403);
    assert.match(forbidden.json<{ message: string }>().message, /may not get .* in namespace team-b/);
  });

  it('has no containers to choose in local mode', async (t) => {
    const f = await buildFixture(t);
    await f.registerLocal(9);
    const response = await f.app.inject({ method: 'GET', url: '/api/v1/pods/local/test-host/containers' });
    assert.deepEqual(response.json(), { namespace: 'local', pod: 'test-host', containers: [] });
  });
});
