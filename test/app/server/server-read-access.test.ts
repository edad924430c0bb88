// Issue 9 item 8: who may read /metrics, and one verb for every read (`get`; `list` is never asked).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { AccessCheck } from '../../../server/kube/kube-gateway.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { bearer, getSidecars, putStatus } from '../../harness/server-calls.ts';
import { buildFixture, registerSidecar } from './server-fixture.ts';

const reviews = {
  'prometheus-token': {
    authenticated: true,
    username: 'system:serviceaccount:monitoring:prometheus',
    groups: [],
  },
  'alice-token': { authenticated: true, username: 'alice', groups: [] },
};

async function kubeFixture(t: TestContext, allows: (check: AccessCheck) => boolean) {
  const kube = fakeKubeGateway({
    reviews,
    allows,
    allowsPath: (check) =>
      check.user.endsWith(':prometheus') && check.path === '/metrics' && check.verb === 'get',
  });
  const f = await buildFixture(t, { authMode: 'kubernetes', kube, registration: 'local' });
  return { f, kube };
}

describe('/metrics', () => {
  it('answers 401 without credentials and 403 to a user without get on the non-resource URL /metrics', async (t) => {
    const { f, kube } = await kubeFixture(t, () => true);
    const metrics = (headers = {}) => f.app.inject({ method: 'GET', url: '/metrics', headers });
    const anonymous = await metrics();
    assert.equal(anonymous.statusCode, 401);
    assert.doesNotMatch(anonymous.body, /furnace_/);
    const alice = await metrics(bearer('alice-token'));
    assert.equal(alice.statusCode, 403);
    assert.doesNotMatch(alice.body, /furnace_/);
    const prometheus = await metrics(bearer('prometheus-token'));
    assert.equal(prometheus.statusCode, 200);
    assert.match(prometheus.body, /^furnace_registered_sidecars 0$/m);
    assert.deepEqual(kube.pathChecks.at(-1), {
      user: 'system:serviceaccount:monitoring:prometheus',
      groups: [],
      verb: 'get',
      path: '/metrics',
    });
  });
});

describe('one verb for every read', () => {
  it('lists, opens and downloads catalog entries with get, the verb the sidecar list checks, and never asks for list', async (t) => {
    const { f, kube } = await kubeFixture(t, (check) => check.user === 'alice' && check.verb === 'get');
    const { uploadToken } = registerSidecar(f, 'team-a', 'web-1', 1);
    const put = await putStatus(f.recorder, uploadToken, recordingStatus('rec-a', { state: 'done' }));
    assert.equal(put.statusCode, 200, put.body);
    const headers = { authorization: 'Bearer alice-token' };
    const sidecars = await getSidecars(f.app, headers);
    assert.deepEqual(
      sidecars.json<{ items: { pod: string }[] }>().items.map((i) => i.pod),
      ['web-1'],
    );
    const list = await f.app.inject({ method: 'GET', url: '/api/v1/recordings', headers });
    assert.deepEqual(
      list.json<{ items: { id: string }[] }>().items.map((e) => e.id),
      ['rec-a'],
      'what alice may open, she sees listed',
    );
    assert.equal(
      (await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-a', headers })).statusCode,
      200,
    );
    assert.deepEqual([...new Set(kube.checks.map((c) => c.verb))], ['get']);
  });
});

describe('the process picker', () => {
  it('needs create on recordings (it shows command lines), not the get that reads recordings', async (t) => {
    const { f, kube } = await kubeFixture(t, (check) => check.user === 'alice' && check.verb === 'get');
    registerSidecar(f, 'team-a', 'web-1', 1);
    const headers = { authorization: 'Bearer alice-token' };
    const picker = await f.app.inject({ method: 'GET', url: '/proxy/team-a/web-1/processes', headers });
    assert.equal(picker.statusCode, 403, picker.body);
    assert.deepEqual(kube.checks.at(-1)?.verb, 'create');
  });
});
