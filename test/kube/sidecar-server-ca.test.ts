// Item 12 of issue 9: FURNACE_SERVER_CA is frozen into a pod when it is admitted, so after a CA rotation
// the sidecar could no longer verify the server until the pod restarts. The webhook also mounts the
// ConfigMap furnace-server-ca that the operator keeps current; a sidecar whose admitted CA is stale
// registers through the ConfigMap's CA. Real admission through the server's webhook, a simulated kubelet.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { buildMutatingWebhookConfiguration } from '../../core/injection/webhook-configuration.ts';
import {
  API_GROUP,
  SERVER_CA_CONFIG_MAP,
  SERVER_CA_KEY,
  SIDECAR_CONTAINER_NAME,
} from '../../core/contract/names.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import { writeCertificateFiles } from '../harness/certificate-files.ts';
import { applyWebhookConfiguration, createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { freePort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

const SCOPE_LABEL = 'furnace-ca-scope';
const { cp, kc } = await useCluster();

describe('the server CA in a pod, after a rotation', () => {
  it('registers through the CA of the ConfigMap when the CA frozen at admission no longer verifies the server', async (t) => {
    const dir = await workDir(t, 'server-ca');
    const current = await generateDevCertificates();
    const stale = await generateDevCertificates();
    const { certFile, keyFile } = await writeCertificateFiles(dir, current);
    const staleCaFile = join(dir, 'stale-ca.crt');
    await writeFile(staleCaFile, stale.caPem);
    const [port, recorderPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
    await writeFile(
      join(dir, 'config.yaml'),
      `host: 127.0.0.1\nport: ${port}\nrecorder:\n  host: 127.0.0.1\n  port: ${recorderPort}\ndataDir: ${dir}/data\ntls:\n  certFile: ${certFile}\n  keyFile: ${keyFile}\nwebhook:\n  port: ${webhookPort}\n`,
    );
    const base = `https://127.0.0.1:${port}`;
    // The webhook injects the CA of before the rotation: the pod is admitted with a CA that is now wrong.
    const server = startFurnace(t, ['server/main.ts'], {
      FURNACE_CONFIG: join(dir, 'config.yaml'),
      KUBECONFIG: cp.kubeconfigPath,
      // Sidecars reach the recorder listener, never the user one.
      FURNACE_INJECT_SERVER_URL: `https://127.0.0.1:${recorderPort}`,
      FURNACE_INJECT_SERVER_CA_FILE: staleCaFile,
    });
    await eventually(
      async () => ((await httpsCall(`${base}/readyz`, current.caPem)).status === 200 ? true : undefined),
      60_000,
      'the server to be ready',
    );
    const scope = randomBytes(4).toString('hex');
    const configuration = buildMutatingWebhookConfiguration({
      name: `furnace-ca-${scope}`,
      url: `https://127.0.0.1:${webhookPort}/mutate`,
      caBundle: current.caPem,
      furnaceNamespace: 'furnace',
    });
    configuration.webhooks?.[0]?.namespaceSelector?.matchExpressions?.push({
      key: SCOPE_LABEL,
      operator: 'In',
      values: [scope],
    });
    t.after(await applyWebhookConfiguration(kc, configuration));
    const namespace = await createNamespace(kc, { enabled: true, labels: { [SCOPE_LABEL]: scope } });
    const core = kc.makeApiClient(CoreV1Api);
    // What the operator keeps current in every opted-in namespace.
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: SERVER_CA_CONFIG_MAP }, data: { [SERVER_CA_KEY]: current.caPem } },
    });
    const body = (name: string) => ({
      metadata: { name, labels: { furnace: 'enabled' } },
      spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
    });
    await eventually(
      async () => {
        const probe = await core.createNamespacedPod({ namespace, body: body('probe'), dryRun: 'All' });
        return probe.spec?.containers.some((c) => c.name === SIDECAR_CONTAINER_NAME) ? true : undefined;
      },
      20_000,
      'the webhook configuration to take effect',
    );
    const created = await core.createNamespacedPod({ namespace, body: body('app') });
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
