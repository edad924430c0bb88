// Issue 20 item 16: in a cluster a sidecar that registered without a TLS pin was called over plain HTTP
// (the proxy token and users' requests in clear text on the pod network), and the proxy looked pins up
// by address, so after a pod IP was reused a stale registration's pin decided which key the new pod's
// sidecar had to present. Registration goes through the real recorder listener (a fake API server
// answers the reviews and pods); the sidecar is a stand-in served over HTTPS with its own key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { createServingIdentity } from '../../../sidecar/api/self-signed-certificate.ts';
import { boundPodReview, fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { serveOverHttps } from '../../harness/https-server.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { bearer, postRegistration } from '../../harness/server-calls.ts';
import { buildFixture, SIDECAR_INJECTION } from './server-fixture.ts';

/** An injected pod at 127.0.0.1, where the stand-in sidecar listens. */
function pod(name: string, uid: string): V1Pod {
  return injectSidecar(
    {
      metadata: { name, namespace: 'team-a', uid },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
      status: { podIP: '127.0.0.1' },
    },
    SIDECAR_INJECTION,
  );
}

const kube = () =>
  fakeKubeGateway({
    reviews: { 'tok-old': boundPodReview('old', 'uid-old'), 'tok-new': boundPodReview('new', 'uid-new') },
    pods: { 'team-a/old': pod('old', 'uid-old'), 'team-a/new': pod('new', 'uid-new') },
    namespaces: { 'team-a': { furnace: 'enabled' } },
  });

describe('server to sidecar: a pin is required in a cluster, and it is the routed registration’s', () => {
  it('refuses a cluster registration without a TLS pin, so no sidecar is ever called in clear text', async (t) => {
    const f = await buildFixture(t, { kube: kube(), authMode: 'none', registration: 'kubernetes' });
    const response = await postRegistration(f.recorder, bearer('tok-new'), {});
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json<{ message: string }>().message, /tlsPin is required in a cluster/);
    assert.equal(f.registry.size(), 0, 'nothing registered, so nothing to call over plain HTTP');
  });

  it('after a pod IP is reused, reaches the new pod with its own pin and refuses the stale registration', async (t) => {
    const seen: string[] = [];
    const sidecar = Fastify();
    sidecar.get('/recordings/:id', (request) => {
      seen.push(String(request.headers.authorization));
      return recordingStatus((request.params as { id: string }).id);
    });
    const identity = await createServingIdentity();
    const tlsPort = await serveOverHttps(t, sidecar, identity);
    const f = await buildFixture(t, {
      kube: kube(),
      authMode: 'none',
      registration: 'kubernetes',
      sidecarTlsPort: tlsPort,
    });
    // The deleted pod's registration is still live (its lease has not run out) at the same address.
    const stalePin = (await createServingIdentity()).pin;
    const stale = await postRegistration(f.recorder, bearer('tok-old'), { tlsPort, tlsPin: stalePin });
    assert.equal(stale.statusCode, 200, stale.body);
    const fresh = await postRegistration(f.recorder, bearer('tok-new'), { tlsPort, tlsPin: identity.pin });
    assert.equal(fresh.statusCode, 200, fresh.body);
    const newToken = fresh.json<{ proxyToken: string }>().proxyToken;

    const toNew = await f.app.inject({ method: 'GET', url: '/proxy/team-a/new/recordings/rec-1' });
    assert.equal(toNew.statusCode, 200, `the new pod is reached with its own pin: ${toNew.body}`);
    const toOld = await f.app.inject({ method: 'GET', url: '/proxy/team-a/old/recordings/rec-2' });
    assert.equal(toOld.statusCode, 502, toOld.body);
    assert.match(toOld.json<{ message: string }>().message, /ERR_SIDECAR_TLS_PIN/);
    assert.deepEqual(
      seen,
      [`Bearer ${newToken}`],
      'the stale registration’s token never reached the new pod',
    );
  });
});
