// `kubectl furnace mcp` against the real API server, driven by the MCP SDK's own client as a subprocess
// over stdio: Furnace runs on this machine registered as the aggregated API, two simulated pods run the
// alpha/beta program (hot_beta three times hot_alpha's work) and its inverted build. A recorder lists,
// records with progress, summarizes, compares, cancels a recording and reads an artifact; a user
// without the recorder role is refused as a tool error and nothing starts; the MCP Inspector's CLI mode
// is a second client.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { CoreV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { API_GROUP } from '../../core/contract/names.ts';
import { createFurnaceApi } from '../../cli/kube-api.ts';
import { KubeConfig } from '@kubernetes/client-node';
import {
  AGGREGATED_RULE,
  RECORDINGS_RULE,
  registerAggregatedApi,
  reserveAggregatedAddress,
  AGGREGATED_SERVICE,
} from '../harness/aggregated-api.ts';
import { buildAlphaBetaProgram, HEAVY_SHARE } from '../harness/alpha-beta-program.ts';
import { createNamespace, createUser, RUN_ID, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { eventually } from '../harness/eventually.ts';
import { writeKubeconfig } from '../harness/kubeconfig-files.ts';
import { callTool, startMcp, type McpSession } from '../harness/mcp-client.ts';
import { runInspector } from '../harness/mcp-inspector.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { registerScopedWebhook, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import { workDir } from '../harness/temp-dirs.ts';

const { cp, kc } = await useCluster();
const SCOPE_LABEL = 'furnace-mcp-scope';
const AGGREGATED = AGGREGATED_RULE;
const RECORDER = RECORDINGS_RULE;
const VIEWER: V1PolicyRule = { apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['get', 'list'] };

interface Shares {
  name: string;
  samples: number;
  share: number;
}

async function startPods(t: TestContext, dir: string, namespace: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const [name, inverted] of [
    ['hot', false],
    ['inverted', true],
  ] as const) {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { furnace: 'enabled' } },
        spec: { containers: [{ name: 'app', image: `registry.example/alpha-beta:${inverted ? 2 : 1}` }] },
      },
    });
    const program = await buildAlphaBetaProgram(dir, { inverted });
    const pod = await simulatePod(kc, namespace, name, { commands: { app: [program, '600'] } });
    t.after(() => pod.stop());
  }
}

async function recordPod(session: McpSession, namespace: string, pod: string) {
  const progress: { progress: number; message?: string }[] = [];
  const recorded = await callTool<{ id: string; state: string; samples: number }>(
    session,
    'record',
    // 999 Hz: enough samples for the comparison's test on a machine whose cores are shared.
    { namespace, pod, container: 'app', durationSeconds: 6, frequency: 999 },
    { onprogress: (p) => progress.push(p) },
  );
  assert.equal(recorded.isError, false, recorded.text);
  assert.equal(recorded.structured.state, 'done');
  assert.ok(progress.length >= 2, `progress notifications while recording: ${JSON.stringify(progress)}`);
  assert.ok(
    progress.every((p, i) => i === 0 || p.progress > (progress[i - 1]?.progress ?? 0)),
    'progress grows',
  );
  return recorded.structured.id;
}

type Change = { name: string; delta: number; verdict: string };
type Comparison = { against: string; verdict: string; grew: Change[]; shrank: Change[] };

/** The comparison of the hot build with the inverted one: hot_beta shrank by about half the samples, hot_alpha grew. */
function assertSwing(compared: { kind: string; comparisons: Comparison[] }, text: string): void {
  const [comparison] = compared.comparisons;
  assert.deepEqual([compared.kind, comparison?.against], ['chosen', 'chosen'], text);
  const [shrank] = comparison?.shrank ?? [];
  const [grew] = comparison?.grew ?? [];
  // The size: each moves from HEAVY_SHARE to 1 − HEAVY_SHARE of the samples or back (0.5 of them).
  const swing = 2 * HEAVY_SHARE - 1;
  assert.equal(shrank?.name, 'hot_beta', text);
  assert.ok(Math.abs((shrank?.delta ?? 0) + swing) < 0.2, text);
  assert.equal(grew?.name, 'hot_alpha', text);
  assert.ok(Math.abs((grew?.delta ?? 0) - swing) < 0.2, text);
  // With two functions trading places, the method may measure either against the other; one is flagged.
  assert.ok(['regressed', 'improved'].includes(comparison?.verdict ?? ''), text);
}

describe('kubectl furnace mcp through the aggregated API', () => {
  it('lists, records with progress, summarizes, compares, cancels, and refuses a viewer as a tool error', async (t) => {
    const dir = await workDir(t, 'mcp-assistant');
    const address = await reserveAggregatedAddress(t);
    const namespace = await createNamespace(kc, { enabled: true, labels: { [SCOPE_LABEL]: RUN_ID } });
    const cluster = await startClusterServer(t, dir, {
      kubeconfigPath: cp.kubeconfigPath,
      host: address,
      certificates: {
        dnsNames: [`${AGGREGATED_SERVICE}.${namespace}.svc`],
        ipAddresses: [address, '127.0.0.1'],
      },
      extra: { requestHeader: { clientCaFile: cp.frontProxyCaPath, allowedNames: ['front-proxy-client'] } },
    });
    await registerAggregatedApi(t, kc, {
      namespace,
      address,
      port: cluster.port,
      caPem: cluster.certs.caPem,
    });
    await registerScopedWebhook(t, kc, cluster, SCOPE_LABEL, RUN_ID);
    await waitUntilInjecting(kc, namespace, 'the webhook configuration to take effect');
    await startPods(t, dir, namespace);

    const recorder = await createUser(kc, { name: 'recorder', namespace, rules: [RECORDER, AGGREGATED] });
    const viewer = await createUser(kc, { name: 'viewer', namespace, rules: [VIEWER, AGGREGATED] });
    const recorderConfig = await writeKubeconfig(cp, join(dir, 'recorder.kubeconfig'), {
      token: recorder.token,
    });
    const viewerConfig = await writeKubeconfig(cp, join(dir, 'viewer.kubeconfig'), { token: viewer.token });
    const mcp = await startMcp(t, { args: ['-n', namespace], env: { KUBECONFIG: recorderConfig } });

    // list: both pods once their sidecars registered, each with its container.
    const listed = await eventually(
      async () => {
        const answer = await callTool<{ pods: { pod: string; containers?: string[] }[] }>(mcp, 'list', {});
        return answer.structured?.pods?.length === 2 ? answer : undefined;
      },
      60_000,
      `both sidecars to register (server log: ${cluster.process.output().slice(-2000)})`,
    );
    assert.deepEqual(
      listed.structured.pods.map((p) => [p.pod, p.containers]),
      [
        ['hot', ['app']],
        ['inverted', ['app']],
      ],
    );

    // record the hot program; summarize names hot_beta at about three quarters of the samples.
    const hot = await recordPod(mcp, namespace, 'hot');
    const summary = await callTool<{ totalSamples: number; topSelf: Shares[] }>(mcp, 'summarize', {
      id: hot,
    });
    assert.equal(summary.isError, false, summary.text);
    const [first, second] = summary.structured.topSelf;
    assert.equal(first?.name, 'hot_beta', summary.text);
    assert.equal(second?.name, 'hot_alpha', summary.text);
    assert.ok(
      Math.abs((first?.share ?? 0) - HEAVY_SHARE) < 0.12,
      `hot_beta's share near ${HEAVY_SHARE}: ${summary.text}`,
    );
    assert.match(
      summary.text,
      new RegExp(`"hot_beta" ${((first?.share ?? 0) * 100).toFixed(1)} % \\(${first?.samples} samples\\)`),
    );
    const again = await callTool(mcp, 'summarize', { id: hot });
    assert.equal(again.text, summary.text, 'the same recording summarizes to the same text');

    // compare with the inverted build: hot_beta shrank by about half the samples, hot_alpha grew.
    const inverted = await recordPod(mcp, namespace, 'inverted');
    const compared = await callTool<{ kind: string; comparisons: Comparison[] }>(mcp, 'compare', {
      before: hot,
      after: inverted,
    });
    assert.equal(compared.isError, false, compared.text);
    assertSwing(compared.structured, compared.text);
    // Without `before`, the workload's earlier recordings as the server finds them through the aggregated
    // API: the inverted pod is a workload of its own, recorded once, so there is none.
    const rollout = await callTool<{ comparisons: unknown[] }>(mcp, 'compare', { after: inverted });
    assert.equal(rollout.isError, false, rollout.text);
    assert.deepEqual(rollout.structured.comparisons, [], rollout.text);

    // links and an artifact as a resource, read with the recorder's rights.
    const links = await callTool<{ graph: string; artifacts: { name: string; uri: string }[] }>(
      mcp,
      'links',
      { id: hot },
    );
    assert.equal(links.structured.graph, `/recordings/${hot}`);
    const folded = links.structured.artifacts.find((a) => a.name === 'stacks.folded');
    assert.ok(folded, links.text);
    const read = await mcp.client.readResource({ uri: folded.uri });
    assert.match(String((read.contents[0] as { text?: string }).text), /;hot_beta \d+/);

    // cancel: the recording stops early and keeps what it sampled.
    const controller = new AbortController();
    let cancelledId = '';
    const cancelled = callTool(
      mcp,
      'record',
      { pod: 'hot', durationSeconds: 120 },
      {
        signal: controller.signal,
        onprogress: (p) => {
          cancelledId = /^(\S+):/.exec(p.message ?? '')?.[1] ?? cancelledId;
          if (p.progress > 0) controller.abort();
        },
      },
    );
    await assert.rejects(cancelled, /abort/i);
    const stopped = await eventually(
      async () => {
        const entry = await callTool<{ recordings: { id: string; state: string }[] }>(mcp, 'list', {
          recordings: 10,
        });
        return entry.structured.recordings.find((r) => r.id === cancelledId && r.state === 'done');
      },
      60_000,
      `the cancelled recording ${cancelledId} in the catalog`,
    );
    assert.ok(stopped);

    // A viewer may list but not record: the refusal in Furnace's words, and the recorder saw no start.
    const before = await recordingsOfPod(recorderConfig, namespace);
    const viewerMcp = await startMcp(t, { args: ['-n', namespace], env: { KUBECONFIG: viewerConfig } });
    const refused = await callTool(viewerMcp, 'record', { pod: 'hot', durationSeconds: 5 });
    assert.equal(refused.isError, true);
    assert.match(
      refused.text,
      new RegExp(
        `HTTP 403.*${viewer.username} may not create recordings\\.furnace\\.hyperfoil\\.io in namespace ${namespace}`,
      ),
    );
    assert.deepEqual(await recordingsOfPod(recorderConfig, namespace), before, 'nothing was started');

    // The MCP Inspector's CLI mode as a second client: it lists the tools and summarizes. A failed run says
    // what its server wrote on stderr and how it ended (mcp-inspector.ts).
    const inspect = (args: string[]) => runInspector({ dir, env: { KUBECONFIG: recorderConfig } }, args);
    const tools = await inspect(['--method', 'tools/list', '--', '-n', namespace]);
    assert.deepEqual(
      (JSON.parse(tools.stdout) as { tools: { name: string }[] }).tools.map((x) => x.name).sort(),
      ['compare', 'links', 'list', 'record', 'summarize'],
    );
    const called = await inspect([
      ...['--method', 'tools/call', '--tool-name', 'summarize'],
      ...['--tool-arg', `id=${hot}`, '--', '-n', namespace],
    ]);
    assert.equal(
      (JSON.parse(called.stdout) as { structuredContent: { topSelf: Shares[] } }).structuredContent.topSelf[0]
        ?.name,
      'hot_beta',
    );
  });
});

/** The ids the pod's recorder holds, read through the aggregated API as the recorder. */
async function recordingsOfPod(kubeconfig: string, namespace: string): Promise<string[]> {
  const api = createFurnaceApi({ kubeconfig, env: {} }, KubeConfig);
  const answer = await api.json<{ recordings: { id: string }[] }>(
    'GET',
    `/namespaces/${namespace}/pods/hot/recordings`,
  );
  return answer.recordings.map((r) => r.id).sort();
}
