import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNamespace, createServiceAccountToken, useCluster } from '../harness/cluster.ts';
import { bindMetricsReader } from '../harness/cluster-roles.ts';
import { writeClusterServerConfig } from '../harness/cluster-server-config.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { createPod, KUBE_SIDECAR_IMAGE, UNSERVED_PIN } from './server-kube-fixture.ts';

const { cp, kc } = await useCluster();

describe('server in cluster mode (main.ts without --local) against a real API server', () => {
  it('serves users, recorders and the webhook over HTTPS on three listeners, registers a pod-bound sidecar token, and reports both in metrics', async (t) => {
    const dir = await tempDir(t, 'furnace-cluster-');
    const { configFile, port, recorderPort, webhookPort, certs } = await writeClusterServerConfig(dir);
    const server = startFurnace(t, ['server/main.ts'], {
      FURNACE_CONFIG: configFile,
      KUBECONFIG: cp.kubeconfigPath,
      // The image the server accepts at registration, as the webhook injects it.
      FURNACE_INJECT_IMAGE: KUBE_SIDECAR_IMAGE,
    });
    const base = `https://127.0.0.1:${port}`;
    await eventually(
      async () => ((await httpsCall(`${base}/readyz`, certs.caPem)).status === 200 ? true : undefined),
      60_000,
      'the API listener',
    );
    assert.equal((await httpsCall(`https://127.0.0.1:${webhookPort}/healthz`, certs.caPem)).status, 200);

    const namespace = await createNamespace(kc, { enabled: true });
    const pod = await createPod(kc, namespace, 'web');
    const token = await createServiceAccountToken(kc, {
      namespace,
      serviceAccount: 'default',
      audiences: ['furnace'],
      boundPod: { name: 'web', uid: pod.metadata?.uid ?? '' },
    });
    const recorder = `https://127.0.0.1:${recorderPort}`;
    const register = (url: string) =>
      httpsCall(`${url}/api/v1/sidecars`, certs.caPem, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    assert.equal((await register(base)).status, 404, 'the user listener takes no registration');
    const registered = await httpsCall(`${recorder}/api/v1/sidecars`, certs.caPem, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tlsPort: 12381, tlsPin: UNSERVED_PIN }),
    });
    assert.equal(registered.status, 200, registered.body);
    assert.equal((await httpsCall(`${base}/metrics`, certs.caPem)).status, 401, 'metrics need a reader');
    await bindMetricsReader(t, kc, namespace, 'default');
    const reader = await createServiceAccountToken(kc, { namespace, serviceAccount: 'default' });
    const metrics = await httpsCall(`${base}/metrics`, certs.caPem, {
      headers: { authorization: `Bearer ${reader}` },
    });
    assert.match(metrics.body, /^furnace_registered_sidecars 1$/m);
    assert.match(metrics.body, /furnace_webhook_decisions_total/);
    assert.equal(
      (await httpsCall(`${base}/api/v1/sidecars`, certs.caPem)).status,
      401,
      'auth mode kubernetes by default',
    );
    assert.equal(server.output().includes(token), false, 'the token never reaches the log');
    assert.equal(await server.stop(), 0);
  });
});
