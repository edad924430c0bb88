// The whole chain in a cluster: the API server sends a new pod to the server's webhook, which injects the
// sidecar; the simulated kubelet runs the pod; its sidecar registers with the server through TokenReview;
// a user allowed by RBAC records the pod's app container through the proxy; the flame graph lands in the
// catalog and names the program's hot functions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { API_GROUP, SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { createUser, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { bearerCall as call } from '../harness/http.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { finished } from '../harness/recording-status.ts';
import { registerScopedWebhook, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import { workDir } from '../harness/temp-dirs.ts';

const SCOPE_LABEL = 'furnace-e2e-scope';

const { cp, kc } = await useCluster();

describe('a pod in a cluster, end to end', () => {
  it('is injected, registers, is recorded through the proxy, and its flame graph lands in the catalog', async (t) => {
    const dir = await workDir(t, 'e2e');
    const cluster = await startClusterServer(t, dir, { kubeconfigPath: cp.kubeconfigPath });
    const { base, certs, process: server } = cluster;
    // The real webhook configuration, narrowed to this test's namespace so other tests are not injected.
    const webhook = await registerScopedWebhook(t, kc, cluster, SCOPE_LABEL);
    const namespace = await webhook.namespace();

    const program = await buildHotProgram(dir);
    const core = kc.makeApiClient(CoreV1Api);
    const podBody = (name: string) => ({
      metadata: { name, labels: { furnace: 'enabled', app: 'hot' } },
      spec: { containers: [{ name: 'app', image: 'registry.example/hot:1' }] },
    });
    await waitUntilInjecting(kc, namespace, 'the webhook configuration to take effect');
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
