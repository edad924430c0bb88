// Issue 9 item 4: authenticate, then authorize, then look up. A caller who may not see a namespace gets
// the same answer for a registered pod or an existing recording as for one that does not exist.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { putStatus } from '../../harness/server-calls.ts';
import { buildFixture, registerSidecar, startFakeSidecar } from './server-fixture.ts';

/** alice may do anything in team-a only; team-b has a registered pod and a recording. */
async function twoTeams(t: TestContext) {
  const kube = fakeKubeGateway({
    reviews: { 'alice-token': { authenticated: true, username: 'alice', groups: [] } },
    allows: (check) => check.user === 'alice' && check.namespace === 'team-a',
  });
  const f = await buildFixture(t, { authMode: 'kubernetes', kube, registration: 'local' });
  const sidecar = await startFakeSidecar(t);
  const b = registerSidecar(f, 'team-b', 'db-0', sidecar.port, 'uid-b');
  const put = await putStatus(f.recorder, b.uploadToken, recordingStatus('rec-b', { state: 'done' }));
  assert.equal(put.statusCode, 200, put.body);
  return { f, sidecar };
}

/** Status, code and message, with the name asked for replaced, so two answers can be compared. */
async function answer(
  f: Awaited<ReturnType<typeof twoTeams>>['f'],
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await f.app.inject({
    method,
    url,
    headers,
    ...(method === 'POST' ? { payload: {} } : {}),
  });
  return `${response.statusCode} ${response.body.split(name).join('<name>')}`;
}

const alice = { authorization: 'Bearer alice-token' };

/** The calls on one recording: method and what follows /api/v1/recordings/<id>. */
const RECORDING_CALLS = [
  ['GET', ''],
  ['GET', '/artifacts/flamegraph.svg'],
  ['DELETE', ''],
] as const;

describe('authenticate, authorize, then look up', () => {
  it('an unauthenticated caller cannot tell a registered pod from a missing one', async (t) => {
    const { f, sidecar } = await twoTeams(t);
    for (const method of ['GET', 'POST'] as const) {
      const registered = await answer(f, method, '/proxy/team-b/db-0/recordings', 'db-0');
      const missing = await answer(f, method, '/proxy/team-b/nope-9/recordings', 'nope-9');
      assert.equal(registered, missing);
      assert.match(registered, /^401 /);
    }
    assert.equal(sidecar.requests.length, 0);
  });

  it('a caller who may not act in the namespace cannot tell a registered pod from a missing one', async (t) => {
    const { f, sidecar } = await twoTeams(t);
    for (const method of ['GET', 'POST'] as const) {
      const registered = await answer(f, method, '/proxy/team-b/db-0/recordings', 'db-0', alice);
      const missing = await answer(f, method, '/proxy/team-b/nope-9/recordings', 'nope-9', alice);
      assert.equal(registered, missing);
      assert.match(registered, /^403 /);
    }
    assert.equal(sidecar.requests.length, 0);
  });

  it('an unauthenticated caller cannot tell an existing recording id from a missing one', async (t) => {
    const { f } = await twoTeams(t);
    for (const [method, suffix] of RECORDING_CALLS) {
      const existing = await answer(f, method, `/api/v1/recordings/rec-b${suffix}`, 'rec-b');
      const missing = await answer(f, method, `/api/v1/recordings/rec-x${suffix}`, 'rec-x');
      assert.equal(existing, missing, `${method} ${suffix}`);
      assert.match(existing, /^401 /);
    }
  });

  it('a caller who may not get recordings in its namespace cannot tell an existing id from a missing one', async (t) => {
    const { f } = await twoTeams(t);
    for (const [method, suffix] of RECORDING_CALLS) {
      const existing = await answer(f, method, `/api/v1/recordings/rec-b${suffix}`, 'rec-b', alice);
      const missing = await answer(f, method, `/api/v1/recordings/rec-x${suffix}`, 'rec-x', alice);
      assert.equal(existing, missing, `${method} ${suffix}`);
      assert.match(existing, /^404 /);
    }
    assert.ok(f.catalog.get('rec-b'), 'nothing was deleted');
  });
});
