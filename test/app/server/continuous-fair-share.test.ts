// Issue "Edges and trust, round three", item 10: a node's continuous plan stopped at 64 targets in
// pod-watch order, silently, so one tenant selecting 64 pods crowded out another namespace's pod created
// later. The node's targets are now shared between namespaces, and what is left out shows in a metric, an
// Event on the pod and the selection's status. The kube API is a fake at its boundary
// (fake-kube-gateway.ts), which keeps the Events the server writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { CONTINUOUS_LIMITS, type ContinuousPlan } from '../../../core/continuous/continuous-plan.ts';
import { slimPod } from '../../../server/kube/pod-watch.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { AGENT_POD, AGENT_REVIEW, CONTINUOUS_AGENT_SETTINGS } from './continuous-fixture.ts';
import { buildFixture } from './server-fixture.ts';

const MAX = CONTINUOUS_LIMITS.maxTargetsPerNode;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function appPod(namespace: string, name: string, n: number, createdAt: string): V1Pod {
  return {
    metadata: {
      namespace,
      name,
      uid: `${hex(n, 8)}-0000-4000-8000-000000000000`,
      labels: { app: name },
      creationTimestamp: new Date(createdAt),
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'app:1' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.9',
      containerStatuses: [{ name: 'app', containerID: `containerd://${hex(n, 64)}` }],
    } as V1Pod['status'],
  };
}

/**
 * 64 pods of tenant `big` from the morning, one a minute (big-00, the youngest, was made again last), then
 * one pod of tenant `small` created at noon.
 */
function podsOf(): V1Pod[] {
  const morning = Date.parse('2026-03-01T08:00:00Z');
  const big = Array.from({ length: MAX }, (_v, i) => {
    const created = new Date(morning + (i === 0 ? MAX : i) * 60_000).toISOString();
    return appPod('big', `big-${String(i).padStart(2, '0')}`, i + 1, created);
  });
  return [AGENT_POD, ...big, appPod('small', 'api-1', 1000, '2026-03-01T12:00:00Z')];
}

describe('a node’s continuous targets between namespaces', () => {
  it('gives another namespace’s later pod its share, and shows what was left out: metric, Event, status', async (t) => {
    const pods = podsOf();
    const kube = fakeKubeGateway({
      reviews: {
        ...AGENT_REVIEW,
        'alice-token': { authenticated: true, username: 'alice', groups: [] },
      },
      pods: Object.fromEntries(pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p])),
      namespaces: { big: { furnace: 'enabled' }, small: { furnace: 'enabled' }, furnace: {} },
      allows: () => true,
    });
    const f = await buildFixture(t, {
      authMode: 'kubernetes',
      kube,
      agent: {
        settings: CONTINUOUS_AGENT_SETTINGS,
        cachedPods: () => pods.map(slimPod),
      },
    });
    const alice = { authorization: 'Bearer alice-token', 'content-type': 'application/json' };
    for (const [namespace, name] of [
      ['big', 'all'],
      ['small', 'api'],
    ] as const) {
      const on = await f.app.inject({
        method: 'PUT',
        url: `/api/v1/continuous/${namespace}/${name}`,
        headers: alice,
        payload: { selector: {} },
      });
      assert.equal(on.statusCode, 200, on.body);
    }
    const registered = await f.recorder.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: { authorization: 'Bearer agent-token' },
      payload: { node: 'node-a', port: 1, tlsPort: 2, tlsPin: 'A'.repeat(43) },
    });
    assert.equal(registered.statusCode, 200, registered.body);
    const upload = registered.json<{ uploadToken: string }>().uploadToken;
    const plan = async (): Promise<ContinuousPlan> => {
      const answer = await f.recorder.inject({
        method: 'POST',
        url: '/api/v1/agents/continuous',
        headers: { authorization: `Bearer ${upload}` },
        payload: { node: 'node-a' },
      });
      assert.equal(answer.statusCode, 200, answer.body);
      return answer.json<ContinuousPlan>();
    };

    const targets = (await plan()).targets.map((target) => `${target.namespace}/${target.pod}`);
    assert.equal(targets.length, MAX);
    assert.ok(targets.includes('small/api-1'), 'the small tenant’s pod has its share');
    assert.ok(!targets.includes('big/big-00'), 'the big tenant’s youngest pod gave way');

    const metrics = await f.metricsRegistry.metrics();
    assert.match(metrics, /furnace_continuous_targets_left_out\{node="node-a",namespace="big"\} 1/);
    const events = kube.events.filter((e) => e.reason === 'ContinuousTargetLeftOut');
    assert.deepEqual(
      events.map((e) => [e.namespace, e.pod, e.type]),
      [['big', 'big-00', 'Warning']],
    );
    assert.match(events[0]?.message ?? '', /node node-a profiles at most 64 pods/);
    await plan();
    assert.equal(
      kube.events.filter((e) => e.reason === 'ContinuousTargetLeftOut').length,
      1,
      'one Event per pod left out, not one per plan',
    );

    const listed = await f.app.inject({ method: 'GET', url: '/api/v1/continuous', headers: alice });
    const status = Object.fromEntries(
      listed
        .json<{ items: { namespace: string; status: { leftOut: unknown[] } }[] }>()
        .items.map((item) => [item.namespace, item.status.leftOut]),
    );
    assert.deepEqual(status, { big: [{ node: 'node-a', pod: 'big-00' }], small: [] });
  });
});
