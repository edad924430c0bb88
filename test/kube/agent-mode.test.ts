// Agent mode end to end (issue 12): pods created without any Furnace label or sidecar, in a namespace that
// is opted in and enforces Pod Security `restricted`, are recorded through the proxy by the node agent, a
// process on this host (the simulated node) that finds the pods' processes by their cgroups. Two pods run
// the same program with a different hot function each: the flame graph of one names its own and never the
// other's. A user without rights is refused, and the pod is never modified or restarted.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { API_GROUP } from '../../core/contract/names.ts';
import type { CatalogEntry, RecordingStatus } from '../../core/contract/recording.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { bearerCall as call } from '../harness/http.ts';
import { startNodeAgent } from '../harness/node-agent.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { freePort } from '../harness/ports.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { buildUi } from '../../ui/build.ts';
import { withPage } from '../harness/browser.ts';
import { flameGraph, topFunctionNames } from '../browser/flame-page.ts';
import { installCrds } from '../harness/crds.ts';
import { createRecordingKube } from '../../operator/recording/recording-kube.ts';
import { createServerClient } from '../../operator/recording/server-client.ts';
import { createRecording, ended, reconcileUntil } from './recording-fixture.ts';

const { kc, cp } = await useCluster();

/** A pod that passes Pod Security `restricted`, with no Furnace label or annotation. */
function restrictedPod(name: string) {
  return {
    metadata: { name, labels: { app: 'hot' } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'registry.example/hot:1',
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

/** The server in cluster mode with agent mode on, its webhook off (no pod gets a sidecar). */
async function startServer(t: TestContext, dir: string, agentNamespace: string, agentPort: number) {
  const server = await startClusterServer(t, dir, {
    kubeconfigPath: cp.kubeconfigPath,
    extra: {
      webhook: { enabled: false },
      agent: { enabled: true, namespace: agentNamespace, serviceAccount: 'furnace-agent', port: agentPort },
    },
  });
  return {
    base: server.base,
    recorderUrl: server.recorderUrl,
    ca: server.certs.caPem,
    server: server.process,
  };
}

async function readPod(client: KubeConfig, namespace: string, name: string): Promise<V1Pod> {
  return client.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name });
}

describe('agent mode in a cluster', () => {
  it('records a restricted pod without a sidecar through the proxy, and nothing of the pod next to it', async (t) => {
    const dir = await workDir(t, 'agent');
    await buildUi(); // the server serves ui/dist
    const agentNamespace = await createNamespace(kc, { prefix: 'furnace' });
    const agentPort = await freePort();
    const { base, recorderUrl, ca } = await startServer(t, dir, agentNamespace, agentPort);
    const agent = await startNodeAgent(t, kc, {
      namespace: agentNamespace,
      serverUrl: recorderUrl,
      serverCa: ca,
      port: agentPort,
      dir,
    });

    const namespace = await createNamespace(kc, {
      enabled: true,
      labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
    });
    const core = kc.makeApiClient(CoreV1Api);
    // Pod Security admission holds the namespace to `restricted`: a privileged sidecar could not run here.
    await assert.rejects(
      core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'privileged' },
          spec: { containers: [{ name: 'p', image: 'x', securityContext: { privileged: true } }] },
        },
      }),
      'the namespace refuses privileged containers',
    );
    const programA = await buildHotProgram(dir, ['-Dfurnace_heavy=furnace_heavy_pod_a'], 'hot-a');
    const programB = await buildHotProgram(dir, ['-Dfurnace_heavy=furnace_heavy_pod_b'], 'hot-b');
    await core.createNamespacedPod({ namespace, body: restrictedPod('hot-a') });
    await core.createNamespacedPod({ namespace, body: restrictedPod('hot-b') });
    const podA = await simulatePod(kc, namespace, 'hot-a', {
      commands: { app: [programA, '120', String(SAMPLED_BUSY_PERCENT)] },
    });
    t.after(() => podA.stop());
    const podB = await simulatePod(kc, namespace, 'hot-b', {
      commands: { app: [programB, '120', String(SAMPLED_BUSY_PERCENT)] },
      cgroupDriver: 'cgroupfs',
    });
    t.after(() => podB.stop());
    const before = await readPod(kc, namespace, 'hot-a');

    const rules = [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get', 'list'] }];
    const user = await createUser(kc, { name: 'profiler', namespace, rules });
    const nobody = await createUser(kc, { name: 'nobody', namespace, rules: [] });
    const listed = await eventually(
      async () => {
        const list = await call(`${base}/api/v1/sidecars`, ca, user.token);
        const items = (JSON.parse(list.body) as { items?: { pod: string; mode: string }[] }).items ?? [];
        return items.some((i) => i.pod === 'hot-a') ? items : undefined;
      },
      30_000,
      `the agent to register (agent output: ${agent.process.output()})`,
    );
    assert.deepEqual(
      listed.map((i) => `${i.pod} ${i.mode}`).sort(),
      ['hot-a agent', 'hot-b agent'],
      'both pods are listed, profilable by the agent',
    );

    const proxy = `${base}/proxy/${namespace}/hot-a/recordings`;
    const refused = await call(proxy, ca, nobody.token, 'POST', { durationSeconds: 3 });
    assert.equal(refused.status, 403, `a user without rights is refused: ${refused.body}`);
    const started = await call(proxy, ca, user.token, 'POST', { durationSeconds: 3, frequency: 199 });
    assert.equal(started.status, 202, `start answered ${started.status}: ${started.body}`);
    const { id } = JSON.parse(started.body) as RecordingStatus;
    const recorded = await eventually(
      async () => {
        const status = JSON.parse((await call(`${proxy}/${id}`, ca, user.token)).body) as RecordingStatus;
        return finished(status) ? status : undefined;
      },
      60_000,
      `the recording to finish (agent output: ${agent.process.output()})`,
    );
    assert.equal(recorded.state, 'done', recorded.error);
    const podPids = await podA.hostPids();
    assert.ok(recorded.targets.length > 0, 'some process was recorded');
    for (const target of recorded.targets) {
      assert.equal(target.container, 'app');
      assert.ok(podPids.includes(target.pid), `target ${target.pid} is a process of pod hot-a`);
    }

    const entry = await eventually(
      async () => {
        const answer = await call(`${base}/api/v1/recordings/${id}`, ca, user.token);
        const parsed = answer.status === 200 ? (JSON.parse(answer.body) as CatalogEntry) : undefined;
        return parsed?.state === 'done' && parsed.artifacts.length > 0 ? parsed : undefined;
      },
      30_000,
      'the recording in the catalog',
    );
    assert.deepEqual([entry.namespace, entry.pod], [namespace, 'hot-a']);
    const folded = (await call(`${base}/api/v1/recordings/${id}/artifacts/stacks.folded`, ca, user.token))
      .body;
    assert.ok(
      samplesOf(folded, 'furnace_heavy_pod_a') > 0,
      `pod hot-a's hot function is sampled:\n${folded}`,
    );
    assert.equal(samplesOf(folded, 'furnace_heavy_pod_b'), 0, "nothing of pod hot-b's program");
    const svg = await call(`${base}/api/v1/recordings/${id}/artifacts/flamegraph.svg`, ca, user.token);
    assert.match(svg.body, /furnace_heavy_pod_a/);
    assert.doesNotMatch(svg.body, /furnace_heavy_pod_b/);

    // Another user's token cannot read it through the proxy either; and the pod was never touched.
    assert.equal((await call(`${proxy}/${id}`, ca, nobody.token)).status, 403);
    const after = await readPod(kc, namespace, 'hot-a');
    assert.equal(
      after.metadata?.resourceVersion,
      before.metadata?.resourceVersion,
      'the pod was not modified',
    );
    assert.deepEqual(
      after.spec?.containers.map((c) => c.name),
      ['app'],
      'no sidecar',
    );
    assert.deepEqual(
      after.status?.containerStatuses?.map((s) => s.restartCount),
      [0],
      'never restarted',
    );

    // A Recording resource works the same against an agent-mode pod (reconciled as in operator-recording).
    await installCrds(cp);
    const tokenPath = join(dir, 'recording-token');
    await writeFile(tokenPath, user.token);
    const deps = {
      kube: createRecordingKube(kc),
      server: createServerClient({ url: base, tokenPath, ca }),
      now: () => Date.now(),
      options: { startGraceSeconds: 5, pollIntervalMs: 500 },
    };
    await createRecording(kc, namespace, 'agent-b', {
      target: { pod: 'hot-b' },
      durationSeconds: 5,
      frequency: 199,
    });
    const status = await reconcileUntil(kc, deps, namespace, 'agent-b', ended);
    assert.equal(status.phase, 'Succeeded', status.message);
    assert.equal(status.topFunctions?.[0]?.name, 'furnace_heavy_pod_b', JSON.stringify(status.topFunctions));

    // And the web UI: the pod is listed as a node-agent pod, records, and shows its own hot function.
    await recordInBrowser(t, base, user.token, namespace);
  });
});

async function recordInBrowser(t: TestContext, base: string, token: string, namespace: string) {
  await withPage(
    t,
    async (page) => {
      await page.goto(base);
      await page.getByLabel('Token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Namespace').selectOption(namespace);
      const pod = page.getByLabel('Pod');
      await pod.locator('option', { hasText: 'hot-a (node agent)' }).waitFor({ state: 'attached' });
      await pod.selectOption('hot-a');
      await page.getByLabel('Duration (seconds)').fill('4');
      await page.getByLabel('Frequency (Hz)').fill('199');
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 90_000 }).catch(async (error: Error) => {
        // What the page said instead (an error under the button, a stage that never ended) names the cause.
        const shown = await page
          .locator('body')
          .innerText()
          .catch(() => '');
        throw new Error(`${error.message}\nthe page at ${page.url()} shows:\n${shown.slice(0, 2000)}`);
      });
      await flameGraph(page).waitFor();
      const names = await topFunctionNames(page);
      assert.equal(names[0], 'furnace_heavy_pod_a', names.join(', '));
      assert.ok(!names.includes('furnace_heavy_pod_b'), names.join(', '));
    },
    { acceptTestCertificate: true },
  );
}
