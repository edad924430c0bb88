// The session's answer says whether the server runs local mode, from how the server was started: the UI
// shows local mode's controls (the program pin, the PID field) by it. A cluster may have a namespace named
// `local` (the namespace local mode registers its recorder under); its pods are a cluster's all the same.
// Fake kube gateway at the API server's boundary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_NAMESPACE } from '../../../core/contract/names.ts';
import type { SessionView, SidecarView } from '../../../core/contract/ui-contract.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { getSidecars } from '../../harness/server-calls.ts';
import { registerSidecar } from './fixture-sidecars.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

const session = async (f: Fixture, headers: Record<string, string> = {}): Promise<SessionView> => {
  const answer = await f.app.inject({ method: 'GET', url: '/api/v1/session', headers });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<SessionView>();
};

describe('the session says whether the server runs local mode', () => {
  it('a cluster with a pod in namespace local: not local mode, signed in or not, and after sign-out', async (t) => {
    const kube = fakeKubeGateway({
      namespaces: { [LOCAL_NAMESPACE]: { furnace: 'enabled' } },
      reviews: { 'alice.token-1': { authenticated: true, username: 'alice', groups: [] } },
    });
    const f = await buildFixture(t, { authMode: 'kubernetes', kube });
    registerSidecar(f, LOCAL_NAMESPACE, 'web-7d9f8c6b5-x2k4q', 9);
    const alice = { authorization: 'Bearer alice.token-1' };
    const pods = (await getSidecars(f.app, alice)).json<{ items: SidecarView[] }>().items;
    assert.deepEqual(
      pods.map((p) => `${p.namespace}/${p.pod}`),
      ['local/web-7d9f8c6b5-x2k4q'],
    );

    assert.deepEqual(await session(f, alice), {
      ...{ mode: 'kubernetes', local: false, signedIn: true },
      ...{ user: 'alice', groups: [] },
    });
    const anonymous = await session(f);
    assert.equal(anonymous.signedIn, false);
    assert.equal(anonymous.local, false, 'said before sign-in too: the sign-in page is the same UI');
    const signedOut = await f.app.inject({ method: 'DELETE', url: '/api/v1/session' });
    assert.deepEqual(signedOut.json(), { mode: 'kubernetes', local: false, signedIn: false });
  });

  it('local mode (npm start): local', async (t) => {
    const f = await buildFixture(t, { workloads: 'local' });
    assert.deepEqual(await session(f), {
      ...{ mode: 'none', local: true, signedIn: true },
      ...{ user: 'anonymous', groups: [] },
    });
  });
});
