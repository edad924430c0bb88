// `npm run bench:pod-start`: what the injected sidecar adds to a pod's start, on the test node (a real kubelet,
// containerd and runc; docs/test-node.md). Furnace is installed from its images as the README says
// (test/node/readme-walk-real-install.ts), the sidecar image already on the node. In one opted-in namespace the
// same Deployment of the hot program's image is applied with the pod label `furnace: enabled` (injected) and
// without it (plain), alternating, ROUNDS times each: the time from `kubectl apply` until `kubectl rollout
// status` says it is available, then the Deployment is deleted. Prints the medians and the injected pod's start
// over the plain one's; the goal is at most 1.2×.
//
// Runs on FURNACE_TEST_NODE when set, else on a node it starts and stops.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HOT_APP_IMAGE, buildHotAppImage } from '../harness/node/test-images.ts';
import { startNode } from '../harness/node/start-node.ts';
import { stopNode } from '../harness/node/stop-node.ts';
import { nodeBinaries, useNode, type TestNode } from '../harness/node/use-node.ts';
import { install, loadFurnaceImages, uninstall } from '../node/readme-walk-real-install.ts';
import { enableNamespace } from '../node/readme-walk-real-pods.ts';
import { runBench } from './bench-kit.ts';
import { median } from './machine.ts';

const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 7);
const GOAL = 1.2;
const NAMESPACE = 'pod-start';

function deployment(name: string, injected: boolean) {
  const labels: Record<string, string> = { app: name, ...(injected ? { furnace: 'enabled' } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'web', image: HOT_APP_IMAGE, resources: { requests: { cpu: '10m' } } }],
        },
      },
    },
  };
}

/** From `kubectl apply` to the Deployment available, in ms; the Deployment is deleted after. */
async function startOnce(node: TestNode, name: string, injected: boolean): Promise<number> {
  const started = performance.now();
  await node.kubectl(['apply', '-f', '-'], JSON.stringify(deployment(name, injected)));
  await node.kubectl(['rollout', 'status', '-n', NAMESPACE, `deployment/${name}`, '--timeout=120s']);
  const ms = performance.now() - started;
  const containers = await node.kubectl([
    'get',
    'pods',
    '-n',
    NAMESPACE,
    '-l',
    `app=${name}`,
    '-o',
    'jsonpath={.items[*].spec.containers[*].name}',
  ]);
  if (containers !== (injected ? 'web furnace' : 'web'))
    throw new Error(`${name}: containers "${containers}", expected the sidecar only when opted in`);
  await node.kubectl(['delete', 'deployment', '-n', NAMESPACE, name, '--wait=true']);
  // No pod left of it (kubectl wait answers an error when none matched any more: nothing to wait for).
  await node
    .kubectl(['wait', '--for=delete', 'pod', '-n', NAMESPACE, '-l', `app=${name}`, '--timeout=60s'])
    .catch(() => undefined);
  return ms;
}

async function onNode(body: (node: TestNode) => Promise<void>): Promise<void> {
  if (process.env.FURNACE_TEST_NODE) return body(await useNode());
  const dir = await mkdtemp('/tmp/furnace-node-');
  try {
    await startNode(dir, nodeBinaries());
    process.env.FURNACE_TEST_NODE = join(dir, 'node.json');
    await body(await useNode());
  } finally {
    const left = await stopNode(dir);
    if (left.length > 0) process.stderr.write(`node teardown left: ${left.join(', ')}\n`);
  }
}

await runBench('bench:pod-start', () =>
  onNode(async (node) => {
    const dir = await mkdtemp(join('/var/tmp', 'furnace-bench-pod-start-'));
    try {
      await loadFurnaceImages(node, dir);
      await node.importImage(await buildHotAppImage(dir));
      await install(node, dir);
      await enableNamespace(node, NAMESPACE);
      // One of each first, unmeasured: the first pod of an image pays for unpacking its layers.
      await startOnce(node, 'warm-plain', false);
      await startOnce(node, 'warm-injected', true);
      const plain: number[] = [];
      const injected: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? [false, true] : [true, false];
        for (const inject of order)
          (inject ? injected : plain).push(
            await startOnce(node, `${inject ? 'injected' : 'plain'}-${round}`, inject),
          );
      }
      const p50 = { plain: median(plain), injected: median(injected) };
      const ratio = p50.injected / p50.plain;
      const show = (values: number[]) => values.map((v) => (v / 1000).toFixed(2)).join(' ');
      process.stdout.write(
        [
          `plain pod, apply → available (s): ${show(plain)}`,
          `injected pod (sidecar image on the node), apply → available (s): ${show(injected)}`,
          `p50: plain ${(p50.plain / 1000).toFixed(2)} s, injected ${(p50.injected / 1000).toFixed(2)} s, ` +
            `added ${((p50.injected - p50.plain) / 1000).toFixed(2)} s; injected/plain ${ratio.toFixed(2)}× ` +
            `(goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'missed'})`,
          '',
        ].join('\n'),
      );
      await node.kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
    } finally {
      await uninstall(node, dir).catch((error: unknown) =>
        process.stderr.write(`uninstall: ${String(error)}\n`),
      );
      await rm(dir, { recursive: true, force: true });
    }
  }),
);
