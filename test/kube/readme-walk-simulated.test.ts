// The README's "Install on a cluster", walked as one user would (issue 14), on simulated pods: the fast walk
// (test/node/readme-walk-real.test.ts walks it on real pods of the images). Against the real API server and
// controller manager: `kubectl apply -k deploy/overlays/kubernetes`; the operator (a process here, as its
// own service account) installs from `deploy/samples/furnace.yaml` (`spec: {}`); a namespace opts in; a user
// gets `furnace-recorder` there; `kubectl apply` of the sample Deployment; the pod the controller manager
// made carries the sidecar; the simulated kubelet runs it (a compiled program with a known hot function, and
// the sidecar exactly as injected, registering with its pod-bound token); chromium signs in with the user's
// token, records 5 s, shows the flame graph and downloads the SVG; `kubectl furnace list` lists it; the
// sample Recording succeeds; agent mode records an unlabelled pod of a `restricted` namespace with
// `kubectl furnace record`; deleting the Furnace removes the webhook, and a restarted pod has no sidecar.
//
// What stands in for what this machine lacks: the server runs as a process on the operator's Secret and
// ConfigMap (test/harness/operated-server.ts); an EndpointSlice points the operator's user Service at it (no
// endpoint controller); the webhook is reached by URL (FURNACE_OPERATOR_WEBHOOK_URL: the API server cannot
// route to a Service); pods resolve the Service name in FURNACE_SERVER_URL through a hosts file (no
// cluster DNS); the node agent runs as a process for the DaemonSet (no kubelet).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Recording } from '../../core/crd/resources.ts';
import { INJECTED_ANNOTATION } from '../../core/contract/names.ts';
import { buildUi } from '../../ui/build.ts';
import { flameGraph, screenshot, topFunctionNames } from '../browser/flame-page.ts';
import { withPage } from '../harness/browser.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { writeKubeconfig } from '../harness/kubeconfig-files.ts';
import { startNodeAgent } from '../harness/node-agent.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { conditionOf, waitForFurnace } from './operator-fixture.ts';
import { call, install, registered, restartServer, type Walk } from './readme-walk-install.ts';
import {
  FURNACE_NAMESPACE as NS,
  hasSidecar,
  kubectl,
  kubectlFurnace,
  podsOf,
  restrictedDeployment,
  sample,
} from './readme-walk-fixture.ts';

const { cp, kc } = await useCluster();

/** README: enable a namespace, grant furnace-recorder to a user (a service account), and a token for it. */
async function enableNamespace(namespace: string, user?: { namespace: string; name: string }) {
  await kubectl(cp, ['label', 'namespace', namespace, 'furnace=enabled']);
  const subject = user ?? { namespace, name: 'alice' };
  if (!user) await kubectl(cp, ['create', 'serviceaccount', 'alice', '-n', namespace]);
  await kubectl(cp, [
    'create',
    'rolebinding',
    'furnace-recorders',
    '-n',
    namespace,
    '--clusterrole=furnace-recorder',
    `--serviceaccount=${subject.namespace}:${subject.name}`,
  ]);
}

/** README: record from the UI signed in with a bearer token, see the flame graph, download the SVG. */
async function recordInBrowser(walk: Walk, token: string, namespace: string, pod: string) {
  let id = '';
  await withPage(
    walk.t,
    async (page) => {
      await page.goto(walk.base);
      await page.getByLabel('Token').fill(token);
      await screenshot(page, 'cluster-sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Namespace').selectOption(namespace);
      const pods = page.getByLabel('Pod');
      await pods.locator('option', { hasText: pod }).waitFor({ state: 'attached' });
      await pods.selectOption(pod);
      await page.getByLabel('Duration (seconds)').fill('5');
      await page.getByLabel('Frequency (Hz)').fill('199');
      await screenshot(page, 'cluster-record');
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 90_000 });
      id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
      await flameGraph(page).waitFor({ timeout: 60_000 });
      const names = await topFunctionNames(page);
      assert.equal(names[0], 'furnace_heavy', names.join(', '));
      await screenshot(page, 'cluster-flame-graph');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'SVG', exact: true }).click(),
      ]);
      const svg = await readFile((await download.path()) ?? '', 'utf8');
      assert.match(svg, /^<\?xml[^]*<svg /);
      assert.match(svg, /furnace_heavy/);
      assert.match(svg, new RegExp(pod), 'the downloaded flame graph names the pod');
    },
    { acceptTestCertificate: true },
  );
  return id;
}

/** README: the sample Recording (moved to the namespace, 5 s instead of 30) until it has Succeeded. */
async function recordWithResource(walk: Walk, namespace: string, kubeconfig: string, token: string) {
  const recording = await sample('recording.yaml', 'Recording', namespace);
  (recording.spec as { durationSeconds: number }).durationSeconds = 5;
  await kubectl(cp, ['apply', '-f', '-'], { input: JSON.stringify(recording), kubeconfig });
  const done = await eventually(
    async () => {
      const got = JSON.parse(
        await kubectl(cp, ['get', 'recording', 'web-cpu', '-n', namespace, '-o', 'json']),
      ) as Recording;
      const phase = got.status?.phase;
      return phase === 'Succeeded' || phase === 'Failed' ? got : undefined;
    },
    120_000,
    'the Recording to end',
    500,
  );
  assert.equal(done.status?.phase, 'Succeeded', done.status?.message);
  assert.equal(done.status?.topFunctions?.[0]?.name, 'furnace_heavy', JSON.stringify(done.status));
  const listed = await kubectl(cp, ['get', 'recordings', '-n', namespace]);
  assert.match(listed, /^web-cpu\s+Succeeded\s/m, listed);
  const svgPath = await kubectl(cp, [
    'get',
    'recording',
    'web-cpu',
    '-n',
    namespace,
    '-o',
    'jsonpath={.status.results[0].links.svg}',
  ]);
  const svg = await call(walk, svgPath, token);
  assert.equal(svg.status, 200, svg.body);
  assert.match(svg.body, /furnace_heavy/);
}

describe('the README on a cluster, as a user walks it (simulated pods)', () => {
  it('installs, injects, records from the browser, kubectl furnace and a Recording, records agent mode, uninstalls the webhook', async (t) => {
    const started = Date.now();
    const step = (what: string) =>
      t.diagnostic(`${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const dir = await workDir(t, 'readme-walk');
    const program = await buildHotProgram(dir);
    await buildUi();
    const walk = await install(t, { cp, kc }, dir);
    step('installed, Ready, APIService Available');

    // Enable a namespace, a user, and the sample Deployment whose pods opt in.
    const app = await createNamespace(kc, { prefix: 'my-app' });
    await enableNamespace(app);
    const token = (await kubectl(cp, ['create', 'token', 'alice', '-n', app])).trim();
    const alice = await writeKubeconfig(cp, join(dir, 'alice.kubeconfig'), { token });
    await kubectl(cp, ['apply', '-f', '-'], {
      input: JSON.stringify(await sample('namespace-opt-in.yaml', 'Deployment', app)),
    });
    const [pod] = await podsOf(kc, app, 'app=web');
    const podName = await kubectl(cp, pickPod(app, '{.items[0].metadata.name}'));
    assert.equal(podName, pod?.metadata?.name);
    const containers = await kubectl(cp, pickPod(app, '{.items[*].spec.containers[*].name}'));
    assert.equal(containers, 'web furnace', 'the pod the ReplicaSet created carries the furnace container');
    assert.ok(pod?.metadata?.annotations?.[INJECTED_ANNOTATION] !== undefined);
    await waitForServerCa(kc, app);
    const web = await simulatePod(kc, app, podName, {
      commands: { web: [program, '300', String(SAMPLED_BUSY_PERCENT)] },
      hosts: walk.hosts,
    });
    t.after(() => web.stop());
    await registered(walk, token, app, podName, 'sidecar');
    step('sidecar registered');

    const id = await recordInBrowser(walk, token, app, podName);
    step('recorded in the browser');
    const listed = await kubectlFurnace(cp, dir, alice, ['list', '-n', app]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${id}\\s+${app}\\s+${podName}\\s`, 'm'), listed.stdout);
    await recordWithResource(walk, app, alice, token);
    step('listed; the Recording succeeded');

    await recordAgentMode(walk, { namespace: app, name: 'alice' }, alice, token);
    step('recorded in agent mode');

    // Uninstall: deleting the Furnace removes the webhook first; a restarted workload has no sidecar.
    await kubectl(cp, ['delete', 'furnace', 'furnace', '-n', NS, '--wait=true', '--timeout=90s']);
    const gone = await cp.kubectl(['get', 'mutatingwebhookconfiguration', 'furnace']);
    assert.match(gone.stderr, /NotFound/, 'the webhook configuration is gone');
    await kubectl(cp, ['rollout', 'restart', 'deployment/web', '-n', app]);
    const [restarted] = await podsOf(kc, app, 'app=web', 2);
    assert.notEqual(restarted?.metadata?.name, podName);
    assert.ok(!hasSidecar(restarted), 'a pod created after the Furnace went has no furnace container');
    await kubectl(cp, ['label', 'namespace', app, 'furnace-']);
    step('uninstalled');
  });
});

/** README: kubectl get pod -n my-app -l app=web -o jsonpath=… */
function pickPod(namespace: string, jsonpath: string): string[] {
  return ['get', 'pod', '-n', namespace, '-l', 'app=web', '-o', `jsonpath=${jsonpath}`];
}

/** The sidecar mounts the server's CA from a ConfigMap the operator puts into each opted-in namespace. */
function waitForServerCa(client: KubeConfig, namespace: string) {
  const core = client.makeApiClient(CoreV1Api);
  return eventually(
    () => core.readNamespacedConfigMap({ namespace, name: 'furnace-server-ca' }),
    30_000,
    `ConfigMap furnace-server-ca in ${namespace}`,
  );
}

/**
 * README "Agent mode": spec.agent.enabled in the Furnace; the server restarts on its new configuration (as
 * the Deployment's config hash makes it), the agent runs as the operator's DaemonSet says; an unlabelled
 * pod of a `restricted` namespace is recorded with `kubectl furnace record`.
 */
async function recordAgentMode(
  walk: Walk,
  user: { namespace: string; name: string },
  kubeconfig: string,
  token: string,
) {
  const patch = JSON.stringify({ spec: { agent: { enabled: true } } });
  await kubectl(cp, ['patch', 'furnace', 'furnace', '-n', NS, '--type=merge', '-p', patch]);
  const apps = kc.makeApiClient(AppsV1Api);
  const daemonSet = await eventually(
    () => apps.readNamespacedDaemonSet({ namespace: NS, name: 'furnace-agent' }),
    30_000,
    'the agents’ DaemonSet',
  );
  await waitForFurnace(cp, NS, (f) => conditionOf(f, 'WebhookReady')?.status === 'True', 'agent mode');
  await restartServer(walk);
  const container = daemonSet.spec?.template.spec?.containers[0];
  const env = (name: string) => container?.env?.find((e) => e.name === name)?.value ?? '';
  await startNodeAgent(walk.t, kc, {
    namespace: NS,
    serverUrl: env('FURNACE_SERVER_URL'),
    serverCa: env('FURNACE_SERVER_CA'),
    port: Number(env('FURNACE_AGENT_PORT')),
    dir: walk.dir,
    hosts: walk.hosts,
  });

  const restricted = await createNamespace(kc, {
    prefix: 'restricted',
    labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
  });
  await enableNamespace(restricted, user);
  await kubectl(cp, ['apply', '-f', '-'], { input: JSON.stringify(restrictedDeployment('api', restricted)) });
  const [pod] = await podsOf(kc, restricted, 'app=api');
  const name = pod?.metadata?.name ?? '';
  assert.ok(!hasSidecar(pod), 'a pod that does not opt in gets no sidecar');
  const program = await buildHotProgram(walk.dir, ['-Dfurnace_heavy=furnace_heavy_agent'], 'hot-agent');
  const simulated = await simulatePod(kc, restricted, name, {
    commands: { api: [program, '300', String(SAMPLED_BUSY_PERCENT)] },
  });
  walk.t.after(() => simulated.stop());
  await registered(walk, token, restricted, name, 'agent');
  const out = join(walk.dir, 'agent-profile');
  const recorded = await kubectlFurnace(cp, walk.dir, kubeconfig, [
    'record',
    '-n',
    restricted,
    name,
    '-c',
    'api',
    '-d',
    '5s',
    '-o',
    out,
  ]);
  assert.equal(recorded.code, 0, recorded.stderr);
  const folded = await readFile(join(out, 'stacks.folded'), 'utf8');
  assert.ok(samplesOf(folded, 'furnace_heavy_agent') > 0, `the agent recorded the pod's program:\n${folded}`);
  assert.match(await readFile(join(out, 'flamegraph.svg'), 'utf8'), /furnace_heavy_agent/);
}
