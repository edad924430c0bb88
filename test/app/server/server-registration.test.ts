import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { boundPodReview, fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { bearer, postRegistration } from '../../harness/server-calls.ts';
import { buildFixture, HOST, PINNED_BODY, SECRET, SIDECAR_INJECTION } from './server-fixture.ts';

/** A pod as the webhook injects it, or (`injected: false`) as it was before. */
function pod(name: string, uid: string, injected = true): V1Pod {
  const plain: V1Pod = {
    metadata: { name, namespace: 'team-a', uid },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    status: { podIP: '10.9.8.7' },
  };
  return injected ? injectSidecar(plain, SIDECAR_INJECTION) : plain;
}

const namespaces = { 'team-a': { furnace: 'enabled' } };

describe('server registration, local mode', () => {
  it('registers with the shared secret and answers the lease and a proxy token', async (t) => {
    const f = await buildFixture(t);
    const response = await postRegistration(f.recorder, bearer(SECRET), { port: 4321 });
    assert.equal(response.statusCode, 200);
    const body = response.json<{ leaseSeconds: number; proxyToken: string; uploadToken: string }>();
    assert.equal(body.leaseSeconds, 30);
    assert.ok(body.proxyToken.length > 0);
    assert.ok(body.uploadToken.length > 0);
    assert.notEqual(body.uploadToken, body.proxyToken, 'uploads have their own credential');
    assert.deepEqual(
      (body as { limits?: unknown }).limits,
      { maxArtifactBytes: 512 * 1024 * 1024 },
      "the server's artifact limit, so the sidecar skips what it would refuse",
    );
    const registration = f.registry.get('local', HOST);
    assert.deepEqual(registration?.address, { host: '127.0.0.1', port: 4321 });
  });

  it('keeps the tokens on renewal', async (t) => {
    const f = await buildFixture(t);
    const first = await f.registerLocal(4321);
    f.advance(15);
    assert.deepEqual(await f.registerLocal(4321), first);
  });

  it('refuses a wrong or missing secret with 401 and registers nothing', async (t) => {
    const f = await buildFixture(t);
    for (const headers of [{ authorization: 'Bearer wrong' }, {}]) {
      const response = await postRegistration(f.recorder, headers, { port: 4321 });
      assert.equal(response.statusCode, 401);
      assert.equal(response.json<{ code: string }>().code, 'ERR_UNAUTHENTICATED');
    }
    assert.equal(f.registry.size(), 0);
  });

  it('refuses a missing or out-of-range port with 400', async (t) => {
    const f = await buildFixture(t);
    for (const payload of [{}, { port: 0 }, { port: 70000 }, { port: 'x' }]) {
      const response = await postRegistration(f.recorder, bearer(SECRET), payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
    }
  });
});

describe('server registration, kubernetes mode with a fake kube gateway', () => {
  const reviews = {
    good: boundPodReview('web-1', 'uid-1'),
    'other-audience': boundPodReview('web-1', 'uid-1', ['https://kubernetes.default.svc']),
    'stale-uid': boundPodReview('web-1', 'uid-old'),
    'no-sidecar': boundPodReview('plain', 'uid-2'),
    'gone-pod': boundPodReview('gone', 'uid-3'),
  };
  const pods = { 'team-a/web-1': pod('web-1', 'uid-1'), 'team-a/plain': pod('plain', 'uid-2', false) };

  it('registers the token pod at its Pod IP on the sidecar port, whatever the body says', async (t) => {
    const kube = fakeKubeGateway({ reviews, pods, namespaces });
    const f = await buildFixture(t, { kube, authMode: 'kubernetes' });
    const response = await postRegistration(f.recorder, bearer('good'), { ...PINNED_BODY, port: 1 });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(f.registry.get('team-a', 'web-1')?.address, { host: '10.9.8.7', port: 12380 });
    assert.ok(kube.calls.includes('review good furnace'), 'TokenReview asked for audience furnace');
  });

  it('renews from the review cache without asking the API server again', async (t) => {
    const kube = fakeKubeGateway({ reviews, pods, namespaces });
    const f = await buildFixture(t, { kube, authMode: 'kubernetes' });
    for (let i = 0; i < 3; i++) {
      const response = await postRegistration(f.recorder, bearer('good'), PINNED_BODY);
      assert.equal(response.statusCode, 200);
    }
    assert.equal(kube.calls.filter((c) => c.startsWith('review')).length, 1);
    assert.equal(kube.calls.filter((c) => c.startsWith('read')).length, 1);
  });

  it('refuses other audiences, stale pods, pods without the sidecar and unknown tokens', async (t) => {
    const f = await buildFixture(t, {
      kube: fakeKubeGateway({ reviews, pods, namespaces }),
      authMode: 'kubernetes',
    });
    const expected: Record<string, number> = {
      'other-audience': 401,
      'stale-uid': 403,
      'no-sidecar': 403,
      'gone-pod': 403,
      forged: 401,
    };
    for (const [token, status] of Object.entries(expected)) {
      const response = await postRegistration(f.recorder, bearer(token), {});
      assert.equal(response.statusCode, status, `${token}: ${response.body}`);
    }
    assert.equal(f.registry.size(), 0);
  });

  it('takes the pod from the pod watch cache when it is the token pod, and reads it when the cache is stale', async (t) => {
    const kube = fakeKubeGateway({ reviews, pods, namespaces });
    const cache: Record<string, V1Pod> = {
      'team-a/web-1': { ...pod('web-1', 'uid-1'), status: { podIP: '10.0.0.99' } },
    };
    const f = await buildFixture(t, {
      kube,
      authMode: 'kubernetes',
      cachedPod: (ns, name) => cache[`${ns}/${name}`],
    });
    assert.equal((await postRegistration(f.recorder, bearer('good'), PINNED_BODY)).statusCode, 200);
    assert.equal(kube.calls.filter((c) => c.startsWith('read')).length, 0);
    assert.equal(f.registry.get('team-a', 'web-1')?.address.host, '10.0.0.99');
    cache['team-a/web-1'] = pod('web-1', 'uid-old');
    f.registry.remove('team-a', 'web-1');
    const fresh = await postRegistration(f.recorder, bearer('good'), PINNED_BODY);
    assert.equal(fresh.statusCode, 200);
    assert.equal(
      kube.calls.filter((c) => c.startsWith('read')).length,
      1,
      'a stale cache entry falls back to reading the Pod',
    );
  });
});
