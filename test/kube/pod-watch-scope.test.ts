// The pod watch follows only what Furnace can act on (server/kube/pod-watch.ts): the pods of opted-in
// namespaces and of the namespaces it is told to always watch (agent mode: where the agents run). A
// namespace that opts in later is followed, one that opts out is dropped, and deletions are reported
// from every followed namespace. Against the real API server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { NAMESPACE_LABEL, NAMESPACE_LABEL_VALUE } from '../../core/contract/names.ts';
import { startPodWatch } from '../../server/kube/pod-watch.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { createPod, deletePod, setPodRunning } from './server-kube-fixture.ts';

const { kc } = await useCluster();
const core = kc.makeApiClient(CoreV1Api);
const quiet = { info: () => undefined, warn: () => undefined };

async function setOptIn(namespace: string, enabled: boolean): Promise<void> {
  const current = await core.readNamespace({ name: namespace });
  const labels = { ...current.metadata?.labels };
  if (enabled) labels[NAMESPACE_LABEL] = NAMESPACE_LABEL_VALUE;
  else delete labels[NAMESPACE_LABEL];
  await core.replaceNamespace({
    name: namespace,
    body: { ...current, metadata: { ...current.metadata, labels } },
  });
}

describe('the pod watch, narrowed to opted-in namespaces', () => {
  it('caches pods of opted-in and always-watched namespaces only, and follows opting in and out', async (t) => {
    const optedIn = await createNamespace(kc, { enabled: true });
    const other = await createNamespace(kc);
    const agents = await createNamespace(kc);
    await createPod(kc, optedIn, 'in');
    await createPod(kc, other, 'out');
    await createPod(kc, agents, 'agent');
    const deleted: string[] = [];
    const watch = startPodWatch({
      kc,
      alwaysNamespaces: [agents],
      onDeleted: (namespace, pod) => deleted.push(`${namespace}/${pod}`),
      log: quiet,
    });
    t.after(() => watch.stop());
    await eventually(() => Promise.resolve(watch.isSynced() || undefined), 30_000, 'the watches to sync');
    assert.ok(watch.getPod(optedIn, 'in'), 'a pod of an opted-in namespace');
    assert.ok(watch.getPod(agents, 'agent'), 'a pod of an always-watched namespace');
    assert.equal(watch.getPod(other, 'out'), undefined, 'no pod of a namespace that did not opt in');
    const seen = new Set(watch.listPods().map((pod) => pod.metadata?.namespace));
    assert.ok(!seen.has(other), 'the list holds no pod of it either');

    await setOptIn(other, true);
    await eventually(
      () => Promise.resolve(watch.getPod(other, 'out')),
      30_000,
      'the newly opted-in namespace followed',
    );
    await deletePod(kc, other, 'out');
    await eventually(
      () => Promise.resolve(deleted.includes(`${other}/out`) || undefined),
      30_000,
      'the deletion reported',
    );
    await setOptIn(optedIn, false);
    await eventually(
      () => Promise.resolve(watch.getPod(optedIn, 'in') ? undefined : true),
      30_000,
      'the opted-out namespace dropped',
    );
    assert.ok(watch.isSynced(), 'opting in and out never took readiness away');
  });

  it('leaves out pods without an IP until they get one, and reports their deletion', async (t) => {
    const namespace = await createNamespace(kc, { enabled: true });
    const deleted: string[] = [];
    const watch = startPodWatch({
      kc,
      onDeleted: (ns, pod) => deleted.push(`${ns}/${pod}`),
      log: quiet,
    });
    t.after(() => watch.stop());
    await eventually(() => Promise.resolve(watch.isSynced() || undefined), 30_000, 'the watch to sync');
    const waiting = await createPod(kc, namespace, 'waiting', { pending: true });
    // One watch delivers in order: once a later pod is seen, the earlier one would have been too.
    await createPod(kc, namespace, 'later');
    await eventually(() => Promise.resolve(watch.getPod(namespace, 'later')), 30_000, 'the running pod');
    assert.equal(watch.getPod(namespace, 'waiting'), undefined, 'a pod without an IP is not cached');
    assert.ok(!watch.listPods().some((pod) => pod.metadata?.name === 'waiting'), 'nor listed');

    await setPodRunning(kc, waiting, '10.20.30.41');
    const running = await eventually(
      () => Promise.resolve(watch.getPod(namespace, 'waiting')),
      30_000,
      'the pod cached once it has an IP',
    );
    assert.equal(running.status?.podIP, '10.20.30.41');
    await deletePod(kc, namespace, 'waiting');
    await eventually(
      () => Promise.resolve(deleted.includes(`${namespace}/waiting`) || undefined),
      30_000,
      'the deletion reported',
    );
  });
});
