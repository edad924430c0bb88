// The Furnace operator with a real server: the server runs as a local process on the certificate, key and
// configuration the operator made (only listen addresses and file paths changed), the operator's readiness
// check reaches it, and the webhook configuration the operator applied injects the pod of a Deployment
// that the controller manager creates. The test API server cannot route to a Service, so the operator
// points the webhook at the local server by URL (FURNACE_OPERATOR_WEBHOOK_URL).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { INJECTED_ANNOTATION, SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { freePort } from '../harness/ports.ts';
import { startOperatedServer } from '../harness/operated-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import {
  applyFurnace,
  conditionOf,
  createScopedNamespace,
  deleteFurnace,
  installCrds,
  scoped,
  startOperator,
  waitForFurnace,
} from './operator-fixture.ts';

const { cp, kc } = await useCluster();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

function deployment(name: string, replicas: number) {
  const labels = { app: name, furnace: 'enabled' };
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
      },
    },
  };
}

function podsOf(namespace: string, app: string): Promise<V1Pod[]> {
  return core.listNamespacedPod({ namespace, labelSelector: `app=${app}` }).then((list) => list.items);
}

const hasSidecar = (pod: V1Pod) =>
  pod.spec?.containers.some((c) => c.name === SIDECAR_CONTAINER_NAME) ?? false;

describe('Furnace operator with the server it configured (local process)', () => {
  it('reports Ready once the server answers on the certificate it issued, and its webhook configuration (reached by URL: the test API server cannot route to a Service) injects a Deployment pod; after deletion new pods are not injected', async (t) => {
    await installCrds(cp);
    const scope = randomBytes(4).toString('hex');
    const namespace = await createNamespace(kc, { prefix: 'op' });
    const app = await createScopedNamespace(kc, scope, 'app');
    const [port, recorderPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
    startOperator(t, cp, namespace, {
      FURNACE_OPERATOR_SERVER_ADDRESS: `127.0.0.1:${port}`,
      FURNACE_OPERATOR_WEBHOOK_URL: `https://localhost:${webhookPort}/mutate`,
      FURNACE_OPERATOR_EXTRA_DNS_NAMES: 'localhost',
    });
    await applyFurnace(cp, namespace, scoped(scope));
    const pending = await waitForFurnace(
      cp,
      namespace,
      (f) =>
        conditionOf(f, 'CertificateReady')?.status === 'True' &&
        conditionOf(f, 'WebhookReady')?.status === 'True',
      'certificates and the webhook configuration',
    );
    assert.equal(conditionOf(pending, 'Ready')?.status, 'False', 'no server yet');

    const server = await startOperatedServer(t, kc, {
      namespace,
      dir: await tempDir(t, 'furnace-operated-'),
      user: { host: '127.0.0.1', port },
      recorder: { host: '127.0.0.1', port: recorderPort },
      webhook: { host: '127.0.0.1', port: webhookPort },
      kubeconfigPath: cp.kubeconfigPath,
    });

    const ready = await waitForFurnace(
      cp,
      namespace,
      (f) => conditionOf(f, 'Ready')?.status === 'True',
      'Ready',
      90_000,
    );
    assert.match(
      conditionOf(ready, 'Ready')?.message ?? '',
      new RegExp(`furnace-api\\.${namespace}\\.svc:8080/readyz \\(at 127\\.0\\.0\\.1:${port}\\) answers 200`),
    );

    await apps.createNamespacedDeployment({ namespace: app, body: deployment('web', 1) });
    const [pod] = await eventually(
      async () => {
        const pods = await podsOf(app, 'web');
        return pods.length === 1 ? pods : undefined;
      },
      30_000,
      "the Deployment's pod",
    );
    assert.ok(pod && hasSidecar(pod), 'the pod the ReplicaSet created carries the furnace container');
    assert.ok(pod.metadata?.annotations?.[INJECTED_ANNOTATION] !== undefined);
    const env = pod.spec?.containers.find((c) => c.name === SIDECAR_CONTAINER_NAME)?.env ?? [];
    assert.equal(
      env.find((e) => e.name === 'FURNACE_SERVER_URL')?.value,
      `https://furnace.${namespace}.svc:8081`,
    );
    assert.equal(env.find((e) => e.name === 'FURNACE_SERVER_CA')?.value, server.caPem);

    await deleteFurnace(cp, namespace);
    // The server still runs; only the webhook configuration is gone.
    const scaled = await cp.kubectl(['scale', 'deployment/web', '--replicas=2', '-n', app]);
    assert.equal(scaled.code, 0, scaled.stderr);
    const pods = await eventually(
      async () => {
        const found = await podsOf(app, 'web');
        return found.length === 2 ? found : undefined;
      },
      30_000,
      'the second pod',
    );
    const second = pods.find((p) => p.metadata?.name !== pod.metadata?.name);
    assert.ok(second && !hasSidecar(second), 'a pod created after the Furnace went has no furnace container');
  });
});
