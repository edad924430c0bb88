// `kubectl furnace mcp` on real pods (issue 49 once "Real pods" landed), on the test node with Furnace
// installed from its images as the README says (readme-walk-real-install.ts). The MCP SDK's own client runs
// the command as a subprocess with a user's kubeconfig (furnace-recorder in their namespace): it lists the
// Deployment's pod, records it through the sidecar the webhook injected, summarizes it, then — after
// `kubectl set image` rolls the Deployment out to v2, the hot program with furnace_light three times as
// expensive — records the new pod and compares it with `after` alone: the server finds the version before the
// rollout, and the comparison names furnace_light as regressed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../harness/eventually.ts';
import { callTool, startMcp, type McpSession } from '../harness/mcp-client.ts';
import {
  buildHotVersionImage,
  HOT_VERSION_IMAGES,
  hotVersionDeployment,
} from '../harness/node/test-images.ts';
import { useNode, type TestNode } from '../harness/node/use-node.ts';
import { install, loadFurnaceImages, uninstall, userKubeconfig } from './readme-walk-real-install.ts';
import { enableNamespace, readyPod } from './readme-walk-real-pods.ts';

const node: TestNode = await useNode();
/**
 * Always busy, and a CPU request that weighs against the machine's other work: a first run at 50 % busy,
 * 10m requested and 5 s on a machine at load 16 gave 226 and 196 samples, too few for the comparison to
 * flag furnace_light's 12 % → 29 % (q above 0.01).
 */
const BUSY_PERCENT = 100;
const CPU_REQUEST = '200m';
const SECONDS = 10;

interface Change {
  name: string;
  beforeShare: number;
  afterShare: number;
  verdict: string;
}

/** Once the pod's sidecar has registered (the list names it), a recording of its app container. */
async function recordPod(mcp: McpSession, pod: string): Promise<string> {
  await eventually(
    async () => {
      const listed = await callTool<{ pods: { pod: string }[] }>(mcp, 'list', {});
      return listed.structured?.pods?.some((p) => p.pod === pod) ? true : undefined;
    },
    120_000,
    `${pod} listed by furnace mcp`,
    1000,
  );
  const progress: number[] = [];
  const recorded = await callTool<{ id: string; state: string; samples: number }>(
    mcp,
    'record',
    { pod, container: 'app', durationSeconds: SECONDS, frequency: 499 },
    { onprogress: (p) => progress.push(p.progress) },
  );
  assert.equal(recorded.isError, false, recorded.text);
  assert.equal(recorded.structured.state, 'done', recorded.text);
  assert.ok(progress.length >= 2, `progress while recording ${pod}: ${progress.join(', ')}`);
  return recorded.structured.id;
}

describe('kubectl furnace mcp on real pods', () => {
  let dir = '';
  const namespace = `mcp-${randomBytes(3).toString('hex')}`;
  before(async () => {
    dir = await mkdtemp(join('/var/tmp', 'furnace-mcp-real-'));
    await loadFurnaceImages(node, dir);
    for (const version of ['v1', 'v2'] as const)
      await node.importImage(await buildHotVersionImage(dir, version, BUSY_PERCENT));
    await install(node, dir);
  });
  after(async () => {
    await node.kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
    await uninstall(node, dir);
    await rm(dir, { recursive: true, force: true });
  });

  it('records, summarizes, and compares a Deployment before and after kubectl set image', async (t) => {
    const token = await enableNamespace(node, namespace);
    const alice = await userKubeconfig(node, join(dir, 'alice.kubeconfig'), token);
    await node.kubectl(['apply', '-f', '-'], JSON.stringify(hotVersionDeployment(namespace, CPU_REQUEST)));
    const v1Pod = (await readyPod(node, namespace, 'app=hot')).metadata.name;
    const mcp = await startMcp(t, { args: ['-n', namespace], env: { KUBECONFIG: alice } });

    const v1 = await recordPod(mcp, v1Pod);
    const summary = await callTool<{ totalSamples: number; topSelf: { name: string }[] }>(mcp, 'summarize', {
      id: v1,
    });
    assert.equal(summary.isError, false, summary.text);
    assert.ok(summary.structured.totalSamples > 0, summary.text);
    assert.ok(
      summary.structured.topSelf.some((f) => f.name === 'furnace_light'),
      `furnace_light among the top functions: ${summary.text}`,
    );

    await node.kubectl(['set', 'image', 'deployment/hot', `app=${HOT_VERSION_IMAGES.v2}`, '-n', namespace]);
    const v2Pod = await eventually(
      async () => {
        const pod = await readyPod(node, namespace, 'app=hot');
        return pod.metadata.name !== v1Pod ? pod.metadata.name : undefined;
      },
      180_000,
      'the rollout to v2',
      1000,
    );
    const v2 = await recordPod(mcp, v2Pod);

    type Side = { id: string; totalSamples: number };
    const rollout = await callTool<{
      comparisons: { against: string; before: Side; after: Side; verdict: string; grew: Change[] }[];
    }>(mcp, 'compare', { after: v2 });
    assert.equal(rollout.isError, false, rollout.text);
    const [previous] = rollout.structured.comparisons;
    assert.deepEqual([previous?.against, previous?.before.id], ['previous', v1], rollout.text);
    assert.equal(previous?.verdict, 'regressed', rollout.text);
    const light = previous?.grew.find((c) => c.name === 'furnace_light');
    assert.equal(light?.verdict, 'regressed', rollout.text);
    assert.ok((light?.afterShare ?? 0) > (light?.beforeShare ?? 0) * 1.5, rollout.text);
    process.stdout.write(
      `furnace mcp on real pods: ${v1Pod} → ${v2Pod} (${previous?.before.totalSamples} → ` +
        `${previous?.after.totalSamples} samples), furnace_light ${light?.beforeShare} → ` +
        `${light?.afterShare} of them, ${previous?.verdict}\n`,
    );
  });
});
