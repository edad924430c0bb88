import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeKubeGateway, RECORDINGS } from '../../harness/fake-kube-gateway.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { getSidecars, putStatus } from '../../harness/server-calls.ts';
import { buildFixture, registerSidecar, startFakeSidecar } from './server-fixture.ts';

async function kubeFixture(t: Parameters<typeof buildFixture>[0]) {
  // alice's token is valid; alice may do anything in team-a and nothing elsewhere.
  const kube = fakeKubeGateway({
    reviews: { 'alice-token': { authenticated: true, username: 'alice', groups: ['devs'] } },
    allows: (check) => check.user === 'alice' && check.namespace === 'team-a',
  });
  const f = await buildFixture(t, { authMode: 'kubernetes', kube, registration: 'local' });
  const sidecar = await startFakeSidecar(t);
  const a = registerSidecar(f, 'team-a', 'web-1', sidecar.port, 'uid-a');
  const b = registerSidecar(f, 'team-b', 'db-0', sidecar.port, 'uid-b');
  return { f, kube, sidecar, a, b };
}

const alice = { authorization: 'Bearer alice-token' };

describe('server auth, kubernetes mode with a fake kube gateway', () => {
  it('asks for a bearer token and refuses an unknown one with 401', async (t) => {
    const { f } = await kubeFixture(t);
    assert.equal((await getSidecars(f.app)).statusCode, 401);
    const forged = await getSidecars(f.app, { authorization: 'Bearer forged' });
    assert.equal(forged.statusCode, 401);
  });

  it('lists only the sidecars of namespaces the user may get', async (t) => {
    const { f } = await kubeFixture(t);
    const response = await getSidecars(f.app, alice);
    assert.deepEqual(
      response.json<{ items: { pod: string }[] }>().items.map((i) => i.pod),
      ['web-1'],
    );
  });

  it('records in team-a with SubjectAccessReview create, and gets 403 in team-b without a connection', async (t) => {
    const { f, kube, sidecar } = await kubeFixture(t);
    const ok = await f.app.inject({
      method: 'POST',
      url: '/proxy/team-a/web-1/recordings',
      headers: alice,
      payload: {},
    });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.ok(kube.asked({ ...RECORDINGS, verb: 'create', namespace: 'team-a' }));
    assert.deepEqual(
      kube.events.map((e) => [e.reason, e.pod]),
      [['FurnaceRecordingStarted', 'web-1']],
    );
    const before = sidecar.connections();
    const denied = await f.app.inject({
      method: 'POST',
      url: '/proxy/team-b/db-0/recordings',
      headers: alice,
      payload: {},
    });
    assert.equal(denied.statusCode, 403);
    assert.match(denied.json<{ message: string }>().message, /alice may not create/);
    assert.equal(sidecar.connections(), before);
  });

  it('lists and serves only catalog entries the user may see, and records a finished event', async (t) => {
    const { f, kube, a, b } = await kubeFixture(t);
    const put = (id: string, token: string) =>
      putStatus(f.recorder, token, recordingStatus(id, { state: 'done' }));
    assert.equal((await put('in-a', a.uploadToken)).statusCode, 200);
    assert.equal((await put('in-b', b.uploadToken)).statusCode, 200);
    const list = await f.app.inject({ method: 'GET', url: '/api/v1/recordings', headers: alice });
    assert.deepEqual(
      list.json<{ items: { id: string }[] }>().items.map((e) => e.id),
      ['in-a'],
    );
    // Entries alice may not get answer like missing ones (server-lookup-order.test.ts).
    assert.equal(
      (await f.app.inject({ method: 'GET', url: '/api/v1/recordings/in-b', headers: alice })).statusCode,
      404,
    );
    assert.equal(
      (await f.app.inject({ method: 'DELETE', url: '/api/v1/recordings/in-b', headers: alice })).statusCode,
      404,
    );
    assert.equal(
      (await f.app.inject({ method: 'DELETE', url: '/api/v1/recordings/in-a', headers: alice })).statusCode,
      204,
    );
    assert.ok(kube.events.some((e) => e.reason === 'FurnaceRecordingFinished' && e.pod === 'web-1'));
  });
});

describe('server auth, proxy mode', () => {
  it('takes the user from the trusted header and refuses requests without it', async (t) => {
    const kube = fakeKubeGateway();
    const f = await buildFixture(t, { authMode: 'proxy', kube, registration: 'local' });
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    assert.equal((await getSidecars(f.app)).statusCode, 401);
    const response = await f.app.inject({
      method: 'POST',
      url: '/proxy/local/test-host/recordings',
      headers: { 'x-forwarded-user': 'bob', 'x-forwarded-groups': 'a, b' },
      payload: {},
    });
    assert.equal(response.statusCode, 201);
    const audit = f.logLines().find((line) => line.audit)?.audit as { user: string; groups: string[] };
    assert.deepEqual([audit.user, audit.groups], ['bob', ['a', 'b']]);
    assert.equal(sidecar.requests.at(-1)?.headers['x-forwarded-user'], undefined);
  });
});
