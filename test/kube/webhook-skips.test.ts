// Through the real admission chain: the webhook keeps a pod with pod-level resources valid (the API
// server would otherwise refuse the user's pod), leaves Windows pods alone, and an explicit opt-out wins
// over an opt-in. Each decision is also counted under its reason code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { getControlPlane } from '../harness/control-plane.ts';
import { hasSidecar, testPod } from '../harness/scoped-webhook.ts';
import { decisionsOf, useKubeWebhook } from './webhook-fixture.ts';

// Not useCluster(): this file removes its webhook configuration before the run's objects are deleted.
const kc = (await getControlPlane()).kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const { webhook, enabled } = await useKubeWebhook(kc);
const decisions = (decision: string, reason: string) => decisionsOf(webhook, decision, reason);

function optedInPod(name: string, spec: Partial<V1PodSpec>, labels = { furnace: 'enabled' }): V1Pod {
  const pod = testPod(name, { labels });
  return { ...pod, spec: { containers: pod.spec?.containers ?? [], ...spec } };
}

describe('webhook: pods it must not make invalid or inject against their owner', () => {
  it('injects a pod whose pod-level requests the containers use up, and the pod is created', async () => {
    const body = optedInPod('budgeted', {
      resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      containers: [
        {
          name: 'app',
          image: 'registry.example/app:1',
          resources: { requests: { cpu: '250m', memory: '128Mi' } },
        },
      ],
    });
    const created = await core.createNamespacedPod({ namespace: enabled, body });
    assert.ok(hasSidecar(created), 'injected');
    const sidecar = created.spec?.containers.find((c) => c.name === 'furnace');
    assert.deepEqual(sidecar?.resources?.requests ?? {}, {}, 'no requests beyond the pod budget');
    assert.deepEqual(created.spec?.resources?.requests, { cpu: '250m', memory: '128Mi' });
  });

  it('leaves a Windows pod alone and counts it as windows-pod', async () => {
    const before = await decisions('skip', 'windows-pod');
    const bySelector = optedInPod('win-selector', { nodeSelector: { 'kubernetes.io/os': 'windows' } });
    const byOs = optedInPod('win-os', { os: { name: 'windows' } });
    for (const body of [bySelector, byOs]) {
      const created = await core.createNamespacedPod({ namespace: enabled, body });
      assert.equal(hasSidecar(created), false, body.metadata?.name);
    }
    assert.equal(await decisions('skip', 'windows-pod'), before + 2);
  });

  it('lets an explicit opt-out label win over an opt-in annotation', async () => {
    const before = await decisions('skip', 'pod-opted-out');
    const body = testPod('opted-out', { labels: { furnace: 'false' }, annotations: { furnace: 'enabled' } });
    const created = await core.createNamespacedPod({ namespace: enabled, body });
    assert.equal(hasSidecar(created), false);
    assert.equal(await decisions('skip', 'pod-opted-out'), before + 1);
  });
});
