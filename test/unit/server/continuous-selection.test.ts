// Which pods of a node a selection hands to its agent: label selectors, the container filter, the opted-out
// label, namespaces not opted in, other nodes; the workload a pod counts under; and the selections as two
// replicas share them through Leases (a fake Lease store at the API server's boundary, named so).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { planForNode, workloadOf } from '../../../server/continuous/plan-node.ts';
import {
  matchesSelector,
  type ContinuousSelection,
} from '../../../server/continuous/continuous-selection.ts';
import { createSharedSelections } from '../../../server/continuous/shared-selections.ts';
import { readContinuousPlan } from '../../../core/continuous/continuous-plan.ts';
import { FakeLeaseStore } from '../../harness/fake-lease-store.ts';

const id = (n: number) => String(n).padStart(64, '0');
const uidOf = (name: string) => Buffer.from(name).toString('hex').slice(0, 32);

function pod(
  name: string,
  over: { labels?: Record<string, string>; node?: string; namespace?: string } = {},
): V1Pod {
  return {
    metadata: {
      name,
      namespace: over.namespace ?? 'shop',
      uid: uidOf(name),
      labels: over.labels ?? { app: 'web' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9f7', uid: 'rs', controller: true },
      ],
    },
    spec: { nodeName: over.node ?? 'node-1', containers: [{ name: 'app' }, { name: 'proxy' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'app', containerID: `containerd://${id(1)}` },
        { name: 'proxy', containerID: `containerd://${id(2)}` },
      ] as V1Pod['status'] extends infer S ? (S extends { containerStatuses?: infer C } ? C : never) : never,
    },
  };
}

const selection = (over: Partial<ContinuousSelection> = {}): ContinuousSelection => ({
  namespace: 'shop',
  name: 'web',
  selector: { matchLabels: { app: 'web' } },
  frequency: 19,
  createdBy: 'alice',
  createdAt: 0,
  ...over,
});

const settings = { frequency: 19, windowSeconds: 15 };

describe('the plan of a node', () => {
  it('hands the agent the selected pods of its node only, with the containers asked for', () => {
    const pods = [
      pod('web-5d9f7-a', { labels: { app: 'web', 'pod-template-hash': '5d9f7' } }),
      pod('web-b', { node: 'node-2' }),
      pod('db-a', { labels: { app: 'db' } }),
      pod('web-out', { labels: { app: 'web', furnace: 'disabled' } }),
      pod('web-closed', { namespace: 'closed' }),
    ];
    const plan = planForNode({
      node: 'node-1',
      pods,
      selections: [selection({ containers: ['app'], frequency: 49 }), selection({ namespace: 'closed' })],
      optedIn: new Set(['shop']),
      settings,
    });
    assert.deepEqual(plan, {
      frequency: 49,
      windowSeconds: 15,
      targets: [
        {
          namespace: 'shop',
          pod: 'web-5d9f7-a',
          podUid: uidOf('web-5d9f7-a'),
          workload: 'Deployment/web',
          containers: [{ name: 'app', id: id(1) }],
        },
      ],
    });
    assert.deepEqual(readContinuousPlan(JSON.parse(JSON.stringify(plan))), plan, 'the agent reads it back');
  });

  it('is empty without a selection, and the agent refuses a plan out of its limits naming the field', () => {
    const plan = planForNode({
      node: 'node-1',
      pods: [pod('web-a')],
      selections: [],
      optedIn: new Set(['shop']),
      settings,
    });
    assert.deepEqual(plan.targets, []);
    assert.throws(
      () => readContinuousPlan({ ...plan, frequency: 1000 }),
      /frequency must be an integer from 1 to 99/,
    );
    assert.throws(() => readContinuousPlan({ ...plan, windowSeconds: 0 }), /windowSeconds/);
  });

  it('matches label selectors as Kubernetes does', () => {
    const labels = { app: 'web', tier: 'front' };
    assert.ok(matchesSelector({}, labels), 'an empty selector selects every pod');
    assert.ok(
      matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, labels),
    );
    assert.ok(
      !matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels),
    );
    assert.ok(matchesSelector({ matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, labels));
    assert.ok(
      !matchesSelector(
        { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] },
        labels,
      ),
    );
    assert.equal(workloadOf({ metadata: { name: 'bare' } }), 'Pod/bare');
  });
});

describe('selections shared by replicas (fake Lease store)', () => {
  it('are seen by every replica, replaced in place and gone everywhere when switched off', async () => {
    const store = new FakeLeaseStore();
    const now = () => 1000;
    const a = createSharedSelections({ store, holder: 'a', now });
    const b = createSharedSelections({ store, holder: 'b', now });
    store.subscribers.push(a, b);
    await a.put(selection());
    assert.deepEqual(
      b.list().map((s) => s.name),
      ['web'],
    );
    await b.put(selection({ frequency: 49 }));
    assert.equal(a.get('shop', 'web')?.frequency, 49, 'a second write replaces the first');
    assert.equal(await a.remove('shop', 'web'), true);
    assert.deepEqual(b.list(), []);
    assert.equal(await b.remove('shop', 'web'), false);
  });
});
