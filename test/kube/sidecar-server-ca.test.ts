// Item 12 of issue 9: FURNACE_SERVER_CA is frozen into a pod when it is admitted, so after a CA rotation
// the sidecar could no longer verify the server until the pod restarts. The webhook also mounts the
// ConfigMap furnace-server-ca that the operator keeps current; a sidecar whose admitted CA is stale
// registers through the ConfigMap's CA. Real admission through the server's webhook, a simulated kubelet.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  API_GROUP,
  SERVER_CA_CONFIG_MAP,
  SERVER_CA_KEY,
  SIDECAR_CONTAINER_NAME,
} from '../../core/contract/names.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import { createUser, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { registerScopedWebhook, testPod, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import { workDir } from '../harness/temp-dirs.ts';

const SCOPE_LABEL = 'furnace-ca-scope';
const { cp, kc } = await useCluster();

describe('the server CA in a pod, after a rotation', () => {
  it('registers through the CA of the ConfigMap when the CA frozen at admission no longer verifies the server', async (t) => {
    const dir = await workDir(t, 'server-ca');
    const stale = await generateDevCertificates();
    const staleCaFile = join(dir, 'stale-ca.crt');
    await writeFile(staleCaFile, stale.caPem);
    // The webhook injects the CA of before the rotation: the pod is admitted with a CA that is now wrong.
    const cluster = await startClusterServer(t, dir, {
      kubeconfigPath: cp.kubeconfigPath,
      injectServerCaFile: staleCaFile,
    });
    const { base, certs: current, process: server } = cluster;
    const webhook = await registerScopedWebhook(t, kc, cluster, SCOPE_LABEL);
    const namespace = await webhook.namespace();
    const core = kc.makeApiClient(CoreV1Api);
    // What the operator keeps current in every opted-in namespace.
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: SERVER_CA_CONFIG_MAP }, data: { [SERVER_CA_KEY]: current.caPem } },
    });
    await waitUntilInjecting(kc, namespace, 'the webhook configuration to take effect');
    const created = await core.createNamespacedPod({
      namespace,
      body: testPod('app', { labels: { furnace: 'enabled' } }),
    });
    const env = created.spec?.containers.find((c) => c.name === SIDECAR_CONTAINER_NAME)?.env ?? [];
    assert.equal(
      env.find((e) => e.name === 'FURNACE_SERVER_CA')?.value,
      stale.caPem,
      'admitted with the stale CA',
    );
    const pod = await simulatePod(kc, namespace, 'app', { commands: { app: ['sleep', '120'] } });
    t.after(() => pod.stop());
    const viewer = await createUser(kc, {
      name: 'viewer',
      namespace,
      rules: [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['get', 'list'] }],
    });
    await eventually(
      async () => {
        const list = await httpsCall(`${base}/api/v1/sidecars`, current.caPem, {
          headers: { authorization: `Bearer ${viewer.token}` },
        });
        return list.status === 200 && list.body.includes('"app"') ? true : undefined;
      },
      40_000,
      `the sidecar to register (sidecar log: ${await pod.logs(SIDECAR_CONTAINER_NAME).catch(() => '')})`,
    );
    assert.equal(await server.stop(), 0);
  });
});
