// The continuous timeline (issue 24): samples over time of a selection, bucketed per pod or workload with
// exact totals, `get` on recordings in the namespace (a 403 naming it), and the namespaces list shows only
// namespaces the caller may view. Windows are seeded through the real window store; the kube API is a
// fake at its boundary (fake-kube-gateway.ts).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { ContinuousNamespacesView, TimelineView } from '../../../core/continuous/continuous-timeline.ts';
import { windowKey } from '../../../server/continuous/window-keys.ts';
import { filesystemWindows } from '../../../server/continuous/window-store.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { CONTINUOUS_AGENT_SETTINGS } from './continuous-fixture.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

const START = Date.parse('2026-03-01T12:00:00Z');
const WINDOW = 15_000;

async function timelineFixture(t: TestContext): Promise<Fixture> {
  const kube = fakeKubeGateway({
    reviews: {
      'alice-token': { authenticated: true, username: 'alice', groups: [] },
      'carol-token': { authenticated: true, username: 'carol', groups: [] },
    },
    pods: {},
    namespaces: { shop: { furnace: 'enabled' }, bank: { furnace: 'enabled' } },
    // Alice may view shop and bank; Carol only bank.
    allows: (check) =>
      check.subresource === undefined &&
      (check.user === 'alice' || (check.user === 'carol' && check.namespace === 'bank')),
  });
  const f = await buildFixture(t, {
    authMode: 'kubernetes',
    kube,
    agent: {
      settings: CONTINUOUS_AGENT_SETTINGS,
    },
  });
  const store = filesystemWindows(f.dataDir);
  const put = (namespace: string, pod: string, i: number, folded: string) =>
    store.put(
      windowKey({
        namespace,
        node: 'node-a',
        pod,
        container: 'app',
        workload: `Deployment/${namespace}-web`,
        start: START + i * WINDOW,
        end: START + (i + 1) * WINDOW,
      }),
      folded,
    );
  // Ten minutes of shop: web-1 with i+1 samples per window, web-2 with 10; one window of bank.
  for (let i = 0; i < 40; i++) {
    await put('shop', 'web-1', i, `app;main;spin ${i + 1}\n`);
    await put('shop', 'web-2', i, 'app;main;work 4\napp;main;idle 6\n');
  }
  await put('bank', 'ledger-1', 0, 'ledger;main 7\n');
  return f;
}

const user = (token: string) => ({ authorization: `Bearer ${token}` });

function timeline(f: Fixture, token: string, query: string) {
  return f.app.inject({ method: 'GET', url: `/api/v1/continuous/timeline?${query}`, headers: user(token) });
}

describe('the continuous timeline', () => {
  it('buckets the windows of a range per pod, with exact totals and the names seen', async (t) => {
    const f = await timelineFixture(t);
    const answer = await timeline(f, 'alice-token', `namespace=shop&from=${START}&to=${START + 600_000}`);
    assert.equal(answer.statusCode, 200, answer.body);
    const view = answer.json<TimelineView>();
    assert.equal(view.bucketMs, 5_000, '10 minutes in at most 240 round buckets: 5 s');
    assert.equal(view.windows, 80);
    assert.equal(view.samples, (40 * 41) / 2 + 40 * 10);
    assert.deepEqual(
      view.series.map((s) => [s.name, s.total]),
      [
        ['web-1', 820],
        ['web-2', 400],
      ],
    );
    assert.equal(view.series[0]?.samples.length, 120);
    assert.equal(view.series[0]?.samples[3], 2, 'the second window starts at 15 s: bucket 3');
    assert.deepEqual(view.pods, ['web-1', 'web-2']);
    assert.deepEqual(view.workloads, ['Deployment/shop-web']);
    assert.deepEqual(view.containers, ['app']);
  });

  it('filters by pod (the names still list every pod) and groups per workload', async (t) => {
    const f = await timelineFixture(t);
    const range = `namespace=shop&from=${START}&to=${START + 3_600_000}`;
    const onePod = (await timeline(f, 'alice-token', `${range}&pod=web-2`)).json<TimelineView>();
    assert.equal(onePod.samples, 400);
    assert.equal(onePod.bucketMs, 15_000);
    assert.deepEqual(
      onePod.series.map((s) => s.name),
      ['web-2'],
    );
    assert.deepEqual(onePod.pods, ['web-1', 'web-2'], 'the pickers still offer the other pods');
    const byWorkload = (await timeline(f, 'alice-token', `${range}&by=workload`)).json<TimelineView>();
    assert.deepEqual(
      byWorkload.series.map((s) => [s.name, s.total]),
      [['Deployment/shop-web', 1220]],
    );
    const empty = (await timeline(f, 'alice-token', `${range}&pod=nobody`)).json<TimelineView>();
    assert.equal(empty.windows, 0);
    assert.deepEqual(empty.series, []);
  });

  it('refuses a namespace the caller may not view (403 naming the permission) and lists only viewable ones', async (t) => {
    const f = await timelineFixture(t);
    const refused = await timeline(f, 'carol-token', `namespace=shop&from=${START}&to=${START + 60_000}`);
    assert.equal(refused.statusCode, 403);
    assert.match(
      refused.json<{ message: string }>().message,
      /carol may not get recordings.furnace.hyperfoil.io in namespace shop/,
    );
    const list = (token: string) =>
      f.app.inject({ method: 'GET', url: '/api/v1/continuous/namespaces', headers: user(token) });
    const carol = (await list('carol-token')).json<ContinuousNamespacesView>();
    assert.deepEqual(carol.items, [{ namespace: 'bank', windows: true, selections: 0 }]);
    const alice = (await list('alice-token')).json<ContinuousNamespacesView>();
    assert.deepEqual(
      alice.items.map((item) => item.namespace),
      ['bank', 'shop'],
    );
  });

  it('rejects a reversed or too long range, naming `to` and the limit', async (t) => {
    const f = await timelineFixture(t);
    const reversed = await timeline(f, 'alice-token', `namespace=shop&from=${START}&to=${START - 1}`);
    assert.equal(reversed.statusCode, 400);
    assert.match(reversed.body, /to \(\d+\) must be after from/);
    const long = await timeline(f, 'alice-token', `namespace=shop&from=0&to=${START}`);
    assert.equal(long.statusCode, 400);
    assert.match(long.body, /limit of 604800000 ms/);
    const bad = await timeline(f, 'alice-token', `namespace=shop&from=0&to=1&by=node`);
    assert.equal(bad.statusCode, 400);
  });
});
