// kube/paced-watch.ts against the real API server: every event of a burst reaches the informer, and the
// event loop gets a turn between any two of them (client-node's Watch hands over all the lines of a chunk
// in one turn: a deletecollection of many pods held the admission webhook's calls behind them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api, ListWatch, Watch, type V1Pod } from '@kubernetes/client-node';
import { PacedWatch } from '../../kube/paced-watch.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';

const { kc } = await useCluster();
const core = kc.makeApiClient(CoreV1Api);
const PODS = 60;

function pod(name: string): V1Pod {
  return { metadata: { name }, spec: { containers: [{ name: 'app', image: 'busybox' }] } };
}

/** Deletions of a burst seen by an informer on `watch`, and how many came in the same turn as the one before. */
async function deletionBurst(watch: Watch): Promise<{ deleted: number; sameTurn: number; left: number }> {
  const namespace = await createNamespace(kc);
  await Promise.all(
    Array.from({ length: PODS }, (_, i) => core.createNamespacedPod({ namespace, body: pod(`p${i}`) })),
  );
  const list = () => core.listNamespacedPod({ namespace });
  const informer = new ListWatch<V1Pod>(`/api/v1/namespaces/${namespace}/pods`, watch, list, false);
  let deleted = 0;
  let sameTurn = 0;
  let previousTurnOpen = false;
  informer.on('delete', () => {
    deleted += 1;
    if (previousTurnOpen) sameTurn += 1;
    previousTurnOpen = true;
    setImmediate(() => (previousTurnOpen = false));
  });
  await informer.start();
  try {
    await eventually(
      () => Promise.resolve(informer.list().length === PODS || undefined),
      30_000,
      'the pods listed',
    );
    await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
    await eventually(() => Promise.resolve(deleted === PODS || undefined), 30_000, 'every deletion seen');
    return { deleted, sameTurn, left: informer.list().length };
  } finally {
    await informer.stop();
  }
}

describe('a paced watch (one event per turn of the event loop)', () => {
  it('hands every event of a deletecollection to the informer, with a turn of the loop between any two', async () => {
    const burst = await deletionBurst(new PacedWatch(kc));
    assert.deepEqual(burst, { deleted: PODS, sameTurn: 0, left: 0 });
  });
});
