// Continuous profiling at the server (issue 24): switching a selection on needs `create` on
// recordings/continuous (403 naming it); the agent of a node gets the plan of its own node only, with the
// server's view of the pods (opted-out and other nodes' pods left out); windows are stored only for pods
// the plan names, and a range query merges them with exact totals. The kube API is a fake at its boundary
// (fake-kube-gateway.ts); the real agent, perf and API server are in test/kube/continuous-agent.test.ts.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { decodeProfile } from '../../../core/pprof/profile.ts';
import { describe, it, type TestContext } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { ContinuousPlan } from '../../../core/continuous/continuous-plan.ts';
import { slimPod } from '../../../server/kube/pod-watch.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { AGENT_POD, AGENT_REVIEW, CONTINUOUS_AGENT_SETTINGS } from './continuous-fixture.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

const id = (n: number) => String(n).repeat(64).slice(0, 64);

function appPod(name: string, node: string, labels: Record<string, string>, n: number): V1Pod {
  return {
    metadata: { namespace: 'shop', name, uid: `${n}e${n}e0000-0000-4000-8000-00000000000${n}`, labels },
    spec: { nodeName: node, containers: [{ name: 'app', image: `${name}:1` }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.9',
      containerStatuses: [{ name: 'app', containerID: `containerd://${id(n)}` }],
    } as V1Pod['status'],
  };
}

const pods: Record<string, V1Pod> = {
  'furnace/agent-a': AGENT_POD,
  'shop/web-1': appPod('web-1', 'node-a', { app: 'web' }, 1),
  'shop/web-2': appPod('web-2', 'node-b', { app: 'web' }, 2),
  'shop/db-1': appPod('db-1', 'node-a', { app: 'db' }, 3),
  'shop/web-out': appPod('web-out', 'node-a', { app: 'web', furnace: 'disabled' }, 4),
};

async function continuousFixture(t: TestContext): Promise<Fixture> {
  const kube = fakeKubeGateway({
    reviews: {
      ...AGENT_REVIEW,
      'alice-token': { authenticated: true, username: 'alice', groups: [] },
      'bob-token': { authenticated: true, username: 'bob', groups: [] },
    },
    pods,
    namespaces: { shop: { furnace: 'enabled' }, furnace: {} },
    // Alice may switch continuous profiling on in shop; Bob may record and view there, nothing more.
    allows: (check) =>
      check.namespace === 'shop' &&
      (check.user === 'alice' || (check.user === 'bob' && check.subresource === undefined)),
  });
  return buildFixture(t, {
    authMode: 'kubernetes',
    kube,
    agent: {
      settings: CONTINUOUS_AGENT_SETTINGS,
      cachedPods: () => Object.values(pods).map(slimPod),
    },
  });
}

const user = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function registeredAgent(f: Fixture): Promise<string> {
  const answer = await f.recorder.inject({
    method: 'POST',
    url: '/api/v1/agents',
    headers: { authorization: 'Bearer agent-token' },
    payload: { node: 'node-a', port: 1, tlsPort: 2, tlsPin: 'A'.repeat(43) },
  });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<{ uploadToken: string }>().uploadToken;
}

describe('continuous profiling at the server', () => {
  it('switches on with recordings/continuous only, and plans each node with its own selected pods', async (t) => {
    const f = await continuousFixture(t);
    const upload = await registeredAgent(f);
    const put = (token: string, payload: object) =>
      f.app.inject({ method: 'PUT', url: '/api/v1/continuous/shop/web', headers: user(token), payload });
    const refused = await put('bob-token', { selector: { matchLabels: { app: 'web' } } });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json<{ message: string }>().message, /recordings\/continuous/);
    const tooFast = await put('alice-token', { frequency: 500 });
    assert.equal(tooFast.statusCode, 400);
    assert.match(tooFast.body, /frequency/);
    assert.equal((await put('alice-token', { selector: { matchLabels: { app: 'web' } } })).statusCode, 200);

    const plan = (token: string, node: string) =>
      f.recorder.inject({
        method: 'POST',
        url: '/api/v1/agents/continuous',
        headers: { authorization: `Bearer ${token}` },
        payload: { node },
      });
    assert.equal((await plan('junk', 'node-a')).statusCode, 401);
    assert.equal((await plan(upload, 'node-b')).statusCode, 403, 'an agent asks for its own node only');
    const answer = await plan(upload, 'node-a');
    assert.equal(answer.statusCode, 200, answer.body);
    const targets = answer.json<ContinuousPlan>().targets;
    assert.deepEqual(
      targets.map((t) => t.pod),
      ['web-1'],
      'not web-2 (node-b), db-1 (not selected) or web-out (opted out)',
    );
    assert.equal(targets[0]?.workload, 'Pod/web-1');
  });

  it('stores windows of planned pods only and merges a range with exact totals', async (t) => {
    const f = await continuousFixture(t);
    const upload = await registeredAgent(f);
    const on = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/continuous/shop/web',
      headers: user('alice-token'),
      payload: { selector: { matchLabels: { app: 'web' } } },
    });
    assert.equal(on.statusCode, 200);
    const start = Date.parse('2026-03-01T12:00:00Z');
    const window = (i: number, pod: string, folded: string) =>
      f.recorder.inject({
        method: 'PUT',
        url: '/api/v1/agents/continuous/windows',
        headers: { authorization: `Bearer ${upload}` },
        payload: {
          node: 'node-a',
          start: start + i * 15_000,
          end: start + (i + 1) * 15_000,
          dropped: i === 0 ? 2 : 0,
          profiles: [{ namespace: 'shop', pod, workload: `Pod/${pod}`, container: 'app', folded }],
        },
      });
    for (let i = 0; i < 8; i++)
      assert.equal((await window(i, 'web-1', `hot;main;spin ${i + 1}\n`)).statusCode, 204);
    assert.equal((await window(3, 'db-1', 'db;main 50\n')).statusCode, 204, 'accepted, but not stored');
    const query = (token: string, extra = '') =>
      f.app.inject({
        method: 'GET',
        url: `/api/v1/continuous/stacks?namespace=shop&from=${start}&to=${start + 120_000}${extra}`,
        headers: user(token),
      });
    const merged = await query('bob-token');
    assert.equal(merged.statusCode, 200, merged.body);
    assert.equal(merged.body, 'hot;main;spin 36\n', 'the sum of the eight windows, and nothing of db-1');
    assert.equal(merged.headers['x-furnace-windows'], '8');
    assert.equal(merged.headers['x-furnace-samples'], '36');
    assert.equal((await query('bob-token', '&pod=db-1')).body, '');
    const pprof = await query('bob-token', '&format=pprof');
    assert.equal(pprof.statusCode, 200);
    assert.equal(pprof.headers['x-furnace-samples'], '36');
    const profile = decodeProfile(gunzipSync(pprof.rawPayload));
    const counted = profile.samples.reduce((sum, sample) => sum + (sample.values[0] ?? 0), 0);
    assert.equal(counted, 36, 'the range’s pprof holds the same samples');
    const tooLong = await f.app.inject({
      method: 'GET',
      url: `/api/v1/continuous/stacks?namespace=shop&from=0&to=${start}`,
      headers: user('bob-token'),
    });
    assert.equal(tooLong.statusCode, 400);
    assert.match(tooLong.body, /limit of 604800000 ms/);
    const metrics = await f.metricsRegistry.metrics();
    assert.match(metrics, /furnace_continuous_windows_dropped_total\{node="node-a"\} 2/);
    assert.match(metrics, /furnace_continuous_windows_stored_total\{node="node-a"\} 8/);
  });
});
