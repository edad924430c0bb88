// The node agent's API (sidecar/agent/recorders.ts behind build-sidecar-app.ts): every call needs the
// server's proxy token and a scope; a scope reaches only its pod's processes and recordings; uploads go
// out with the grant of that recording. perf and the node's process table are fakes at their boundary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGENT_SCOPE_HEADER, encodeAgentScope } from '../../../core/contract/agent-scope.ts';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { agentApp, scopeOf } from './agent-fixture.ts';
describe('the node agent API', () => {
  it('needs the proxy token, then a scope from the server, then an upload grant to start', async (t) => {
    const { app, call } = await agentApp(t);
    const noToken = await app.inject({
      method: 'GET',
      url: '/recordings',
      headers: { [AGENT_SCOPE_HEADER]: encodeAgentScope(scopeOf('a')) },
    });
    assert.equal(noToken.statusCode, 401);
    const noScope = await call('GET', '/recordings', undefined);
    assert.equal(noScope.statusCode, 400);
    assert.match(noScope.body, /x-furnace-scope is invalid: missing/);
    const noGrant = await call('POST', '/recordings', scopeOf('a'), { durationSeconds: 1 });
    assert.equal(noGrant.statusCode, 400);
    assert.match(noGrant.body, /upload token/);
  });

  it("records only the scope pod's processes, shows its recordings to it alone, and uploads with its grant", async (t) => {
    const { call, uploads } = await agentApp(t);
    const otherPod = await call('POST', '/recordings', scopeOf('a', 'grant-a'), {
      pid: 210,
      durationSeconds: 1,
    });
    assert.equal(otherPod.statusCode, 400, "pod B's process is not in pod A's scope");
    assert.match(otherPod.body, /no process matches pid 210 in the containers of pod/);

    const started = await call('POST', '/recordings', scopeOf('a', 'grant-a'), { durationSeconds: 1 });
    assert.equal(started.statusCode, 202, started.body);
    const status = started.json<RecordingStatus>();
    assert.deepEqual(status.targets, [{ pid: 200, comm: 'prog', container: 'app' }]);
    // A read that waits for the end (?waitSeconds) is answered when the recording is processed.
    const waited = await call('GET', `/recordings/${status.id}?waitSeconds=20`, scopeOf('a'));
    const done = waited.json<RecordingStatus>();
    assert.equal(done.state, 'done', done.error);

    assert.equal((await call('GET', `/recordings/${status.id}`, scopeOf('b'))).statusCode, 404);
    const otherWaits = await call('GET', `/recordings/${status.id}?waitSeconds=20`, scopeOf('b'));
    assert.equal(otherWaits.statusCode, 404, "pod B's scope cannot wait on pod A's recording either");
    assert.deepEqual((await call('GET', '/recordings', scopeOf('b'))).json(), { recordings: [] });
    const artifact = await call('GET', `/recordings/${status.id}/artifacts/stacks.folded`, scopeOf('b'));
    assert.equal(artifact.statusCode, 404, "pod B's scope cannot download pod A's flame graph");

    assert.ok(uploads.length > 0, 'the recording was uploaded');
    for (const upload of uploads) {
      assert.equal(upload.headers?.authorization, 'Bearer grant-a', `${upload.method} ${upload.url}`);
    }
  });
});
