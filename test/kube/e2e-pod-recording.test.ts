// The whole chain in a cluster: the API server sends a new pod to the server's webhook, which injects the
// sidecar; the simulated kubelet runs the pod; its sidecar registers with the server through TokenReview;
// a user allowed by RBAC records the pod's app container through the proxy; the flame graph lands in the
// catalog and names the program's hot functions.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { buildMutatingWebhookConfiguration } from '../../core/injection/webhook-configuration.ts';
import { API_GROUP, SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import { getControlPlane } from '../harness/control-plane.ts';
import {
  applyWebhookConfiguration,
  createNamespace,
  createUser,
  deleteRunObjects,
} from '../harness/cluster.ts';
import { writeCertificateFiles } from '../harness/certificate-files.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { httpsCall } from '../harness/http.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { freePort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';

const SCOPE_LABEL = 'furnace-e2e-scope';

let kc: KubeConfig;
let kubeconfigPath: string;

before(async () => {
  const cp = await getControlPlane();
  kc = cp.kubeConfig();
  kubeconfigPath = cp.kubeconfigPath;
});
after(async () => {
  await deleteRunObjects(kc);
});

/** A call as the bearer of token, with a JSON body if there is one. */
function call(url: string, ca: string, token: string, method = 'GET', body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body === undefined) return httpsCall(url, ca, { method, headers });
  headers['content-type'] = 'application/json';
  return httpsCall(url, ca, { method, headers, body: JSON.stringify(body) });
}

describe('a pod in a cluster, end to end', () => {
  it('is injected, registers, is recorded through the proxy, and its flame graph lands in the catalog', async (t) => {
    const dir = await workDir(t, 'e2e');
    const certs = await generateDevCertificates();
    const { certFile, keyFile, caFile } = await writeCertificateFiles(dir, certs);
    const [port, recorderPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
    await writeFile(
      join(dir, 'config.yaml'),
      [
        'host: 127.0.0.1',
        `port: ${port}`,
        'recorder:',
        '  host: 127.0.0.1',
        `  port: ${recorderPort}`,
        `dataDir: ${dir}/data`,
        'tls:',
        `  certFile: ${certFile}`,
        `  keyFile: ${keyFile}`,
        'webhook:',
        `  port: ${webhookPort}`,
        '',
      ].join('\n'),
    );
    const base = `https://127.0.0.1:${port}`;
    const server = startFurnace(t, ['server/main.ts'], {
      FURNACE_CONFIG: join(dir, 'config.yaml'),
      KUBECONFIG: kubeconfigPath,
      // Sidecars reach the recorder listener, never the user one.
      FURNACE_INJECT_SERVER_URL: `https://127.0.0.1:${recorderPort}`,
      FURNACE_INJECT_SERVER_CA_FILE: caFile,
    });
    await eventually(
      async () => ((await call(`${base}/readyz`, certs.caPem, '')).status === 200 ? true : undefined),
      30_000,
      'the server to be ready',
    );

    // The real webhook configuration, narrowed to this test's namespace so other tests are not injected.
    const scope = randomBytes(4).toString('hex');
    const configuration = buildMutatingWebhookConfiguration({
      name: `furnace-e2e-${scope}`,
      url: `https://127.0.0.1:${webhookPort}/mutate`,
      caBundle: certs.caPem,
      furnaceNamespace: 'furnace',
    });
    configuration.webhooks?.[0]?.namespaceSelector?.matchExpressions?.push({
      key: SCOPE_LABEL,
      operator: 'In',
      values: [scope],
    });
    const removeWebhook = await applyWebhookConfiguration(kc, configuration);
    t.after(removeWebhook);
    const namespace = await createNamespace(kc, { enabled: true, labels: { [SCOPE_LABEL]: scope } });

    const program = await buildHotProgram(dir);
    const core = kc.makeApiClient(CoreV1Api);
    const podBody = (name: string) => ({
      metadata: { name, labels: { furnace: 'enabled', app: 'hot' } },
      spec: { containers: [{ name: 'app', image: 'registry.example/hot:1' }] },
    });
    await eventually(
      async () => {
        const probe = await core.createNamespacedPod({ namespace, body: podBody('probe'), dryRun: 'All' });
        return probe.spec?.containers.some((c) => c.name === SIDECAR_CONTAINER_NAME) ? true : undefined;
      },
      20_000,
      'the webhook configuration to take effect',
    );
    const created = await core.createNamespacedPod({ namespace, body: podBody('hot') });
    const sidecar = [...(created.spec?.containers ?? []), ...(created.spec?.initContainers ?? [])].find(
      (c) => c.name === SIDECAR_CONTAINER_NAME,
    );
    assert.ok(sidecar, 'the stored pod carries the injected sidecar');

    const pod = await simulatePod(kc, namespace, 'hot', { commands: { app: [program, '120'] } });
    t.after(() => pod.stop());

    const user = await createUser(kc, {
      name: 'profiler',
      namespace,
      rules: [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get', 'list'] }],
    });
    await eventually(
      async () => {
        const list = await call(`${base}/api/v1/sidecars`, certs.caPem, user.token);
        return list.status === 200 && list.body.includes('"hot"') ? true : undefined;
      },
      30_000,
      `the sidecar to register (sidecar log: ${await pod.logs(SIDECAR_CONTAINER_NAME).catch(() => '')})`,
    );

    const proxy = `${base}/proxy/${namespace}/hot/recordings`;
    const started = await call(proxy, certs.caPem, user.token, 'POST', {
      durationSeconds: 3,
      frequency: 199,
    });
    assert.ok(
      started.status >= 200 && started.status < 300,
      `start answered ${started.status}: ${started.body}`,
    );
    const { id } = JSON.parse(started.body) as RecordingStatus;
    const recorded = await eventually(
      async () => {
        const status = JSON.parse(
          (await call(`${proxy}/${id}`, certs.caPem, user.token)).body,
        ) as RecordingStatus;
        return finished(status) ? status : undefined;
      },
      60_000,
      'the recording to finish',
    );
    assert.equal(recorded.state, 'done', recorded.error);
    assert.deepEqual(
      [...new Set(recorded.targets.map((target) => target.container))],
      ['app'],
      'only the app container was recorded, never the sidecar',
    );

    const folded = await eventually(
      async () => {
        const answer = await call(
          `${base}/api/v1/recordings/${id}/artifacts/stacks.folded`,
          certs.caPem,
          user.token,
        );
        return answer.status === 200 ? answer.body : undefined;
      },
      30_000,
      'stacks.folded in the catalog',
    );
    const light = samplesOf(folded, 'furnace_light');
    const heavy = samplesOf(folded, 'furnace_heavy');
    assert.ok(light > 0 && heavy > 0, `both hot functions sampled:\n${folded}`);
    assert.ok(heavy > light, `the heavy function has more samples (${heavy} vs ${light})`);
    const svg = await call(
      `${base}/api/v1/recordings/${id}/artifacts/flamegraph.svg`,
      certs.caPem,
      user.token,
    );
    assert.equal(svg.status, 200);
    assert.match(svg.body, /furnace_heavy/);
    assert.equal(await server.stop(), 0);
  });
});
