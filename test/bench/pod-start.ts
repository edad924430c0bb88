// `npm run bench:pod-start`: what the injected sidecar adds to a pod's start, on the test node (a real kubelet,
// containerd and runc; docs/test-node.md). Furnace is installed from its images as the README says
// (test/node/readme-walk-real-install.ts), the sidecar image already on the node. In one opted-in namespace the
// same Deployment of the hot program's image is applied with the pod label `furnace: enabled` (injected) and
// without it (plain), alternating, ROUNDS times each: the time from `kubectl apply` until `kubectl rollout
// status` says it is available, then the Deployment is deleted. Prints the medians and the injected pod's start
// over the plain one's; the goal is at most 1.2×. Then where the difference goes: each start split into its
// control, node and status phases from containerd's events (pod-start-phases.ts), and what the webhook adds
// to a pod create (server-side dry runs of the same pod opted in and not, alternating).
//
// With FURNACE_BENCH_PULL=1 the Furnace names the sidecar image in a private registry (pod-start-pull.ts), the
// pods carry that registry's pull secret, and each round has a third start, injected with the sidecar image
// removed from the node first so the kubelet pulls it: its start, the kubelet's pull time and the bytes
// fetched are printed beside the other two (context for the goal, which is for the image present). All pods
// then carry the pull secret, and the webhook mounts a pod's pull secrets into the sidecar (a projected volume
// for `symbols: image`), so the injected pods have a volume more to wait for than in the default mode.
//
// Runs on FURNACE_TEST_NODE when set, else on a node it starts and stops.
import { performance } from 'node:perf_hooks';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { FURNACE_IMAGES } from '../harness/images/furnace-images.ts';
import { pullSecret } from '../harness/node/node-registry.ts';
import { PAUSE_IMAGE } from '../harness/node/node-layout.ts';
import { HOT_APP_IMAGE, buildHotAppImage } from '../harness/node/test-images.ts';
import type { TestNode } from '../harness/node/use-node.ts';
import { install, loadFurnaceImages } from '../node/readme-walk-real-install.ts';
import { enableNamespace } from '../node/readme-walk-real-pods.ts';
import { runBench } from './bench-kit.ts';
import { inInstallDir, onNode } from './bench-node.ts';
import { median } from './machine.ts';
import {
  bytesToFetch,
  pulledFor,
  pushedImagePresent,
  pushSidecar,
  removePushedImage,
  type PullSetup,
  type Pulled,
} from './pod-start-pull.ts';
import {
  recordContainerdEvents,
  startPhases,
  type EventRecorder,
  type StartPhases,
} from './pod-start-phases.ts';

const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 11);
const DRY_RUNS = 30;
const GOAL = 1.2;
const NAMESPACE = 'pod-start';
const PULL = process.env.FURNACE_BENCH_PULL === '1';
const PULL_SECRET = 'sidecar-registry';

/** plain: not opted in; injected: opted in, the sidecar image on the node; pulled: opted in, image pulled. */
type Kind = 'plain' | 'injected' | 'pulled';

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
          ...(PULL ? { imagePullSecrets: [{ name: PULL_SECRET }] } : {}),
          containers: [{ name: 'web', image: HOT_APP_IMAGE, resources: { requests: { cpu: '10m' } } }],
        },
      },
    },
  };
}

interface Start {
  ms: number;
  phases: StartPhases | undefined;
  /** pulled: the kubelet's pull, and the compressed bytes of the image's layers and of those to fetch. */
  pulled?: Pulled & { layers: number; fetched: number };
}

/** From `kubectl apply` to the Deployment available, in ms, and its phases; the Deployment is deleted after. */
async function startOnce(
  node: TestNode,
  events: EventRecorder,
  name: string,
  kind: Kind,
  pull?: PullSetup,
): Promise<Start> {
  const injected = kind !== 'plain';
  let bytes = { all: 0, fetch: 0 };
  if (pull && kind === 'pulled') {
    await removePushedImage(node, pull.repo);
    bytes = await bytesToFetch(node, pull);
  } else if (pull && kind === 'injected' && !(await pushedImagePresent(node, pull.repo))) {
    throw new Error(`${name}: the sidecar image ${pull.image} is not on the node`);
  }
  const applyAt = Date.now();
  const started = performance.now();
  await node.kubectl(['apply', '-f', '-'], JSON.stringify(deployment(name, injected)));
  await node.kubectl(['rollout', 'status', '-n', NAMESPACE, `deployment/${name}`, '--timeout=300s']);
  const ms = performance.now() - started;
  const availableAt = Date.now();
  const [pod = '', containers = ''] = (
    await node.kubectl([
      'get',
      'pods',
      '-n',
      NAMESPACE,
      '-l',
      `app=${name}`,
      '-o',
      'jsonpath={.items[0].metadata.name}/{.items[*].spec.containers[*].name}',
    ])
  ).split('/');
  if (containers !== (injected ? 'web furnace' : 'web'))
    throw new Error(`${name}: containers "${containers}", expected the sidecar only when opted in`);
  const pulled =
    pull && kind === 'pulled'
      ? { ...(await pulledFor(node, NAMESPACE, pod, pull.image)), layers: bytes.all, fetched: bytes.fetch }
      : undefined;
  await node.kubectl(['delete', 'deployment', '-n', NAMESPACE, name, '--wait=true']);
  // No pod left of it (kubectl wait answers an error when none matched any more: nothing to wait for).
  await node
    .kubectl(['wait', '--for=delete', 'pod', '-n', NAMESPACE, '-l', `app=${name}`, '--timeout=60s'])
    .catch(() => undefined);
  return {
    ms,
    phases: startPhases(events.events(), applyAt, availableAt, PAUSE_IMAGE),
    ...(pulled ? { pulled } : {}),
  };
}

/** ms of a server-side dry-run create of the bare pod, opted in (through the webhook) and not, alternating. */
async function dryRunCreates(node: TestNode): Promise<{ plain: number[]; injected: number[] }> {
  const api = node.kubeConfig().makeApiClient(CoreV1Api);
  const pod = (injected: boolean): V1Pod => {
    const template = deployment('dry-run', injected).spec.template;
    return { metadata: { ...template.metadata, name: 'dry-run', namespace: NAMESPACE }, spec: template.spec };
  };
  const out = { plain: [] as number[], injected: [] as number[] };
  for (let i = 0; i < DRY_RUNS; i++) {
    for (const injected of i % 2 === 0 ? [false, true] : [true, false]) {
      const started = performance.now();
      await api.createNamespacedPod({ namespace: NAMESPACE, body: pod(injected), dryRun: 'All' });
      (injected ? out.injected : out.plain).push(performance.now() - started);
    }
  }
  return out;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** The medians of each phase over the starts whose events were all seen, in ms. */
function phaseLine(label: string, starts: readonly Start[]): string {
  const seen = starts.flatMap((s) => (s.phases ? [s.phases] : []));
  if (seen.length === 0) return `${label}: no start with all its containerd events`;
  const p50 = (pick: (p: StartPhases) => number) => median(seen.map(pick)).toFixed(0);
  return (
    `${label} (${seen.length} starts, ${median(seen.map((p) => p.containers))} containers): control ` +
    `${p50((p) => p.control)} ms, node ${p50((p) => p.node)} ms, status ${p50((p) => p.status)} ms`
  );
}

/** The pulled starts' line: their p50 against the plain one, the kubelet's pull and what was fetched. */
function pullLines(plainP50: number, pulled: readonly Start[]): string[] {
  const pulls = pulled.flatMap((s) => (s.pulled ? [s.pulled] : []));
  const p50 = median(pulled.map((s) => s.ms));
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return [
    `injected pod, sidecar image pulled, apply → available (s): ${pulled.map((s) => seconds(s.ms)).join(' ')}`,
    `p50 pulled ${seconds(p50)} s, ${(p50 / plainP50).toFixed(2)}× the plain pod's (context, no goal)`,
    `the kubelet's pull, p50: ${seconds(median(pulls.map((p) => p.ms)))} s ` +
      `(${seconds(median(pulls.map((p) => p.withWaitingMs)))} s with waiting); image ${mb(median(pulls.map((p) => p.bytes)))} MB ` +
      `as containerd counts it; fetched ${mb(median(pulls.map((p) => p.fetched)))} of ` +
      `${mb(median(pulls.map((p) => p.layers)))} MB of compressed layers`,
    phaseLine('pulled phases, p50', pulled),
  ];
}

await runBench('bench:pod-start', (bench) =>
  onNode((node) =>
    inInstallDir(node, 'pod-start', async (dir) => {
      await loadFurnaceImages(node, dir, PULL ? ['server'] : ['server', 'sidecar']);
      await node.importImage(await buildHotAppImage(dir));
      const pull = PULL ? await pushSidecar(bench.t, node, dir) : undefined;
      const images = { server: FURNACE_IMAGES.server, sidecar: pull?.image, agent: pull?.image };
      await install(node, dir, pull ? { images } : {});
      await enableNamespace(node, NAMESPACE);
      if (pull)
        await node.kubectl(
          ['apply', '-f', '-'],
          JSON.stringify(pullSecret(pull.registry, NAMESPACE, PULL_SECRET)),
        );
      const events = recordContainerdEvents(node.containerdSocket);
      bench.t.after(() => events.stop());
      // One of each first, unmeasured: the first pod of an image pays for unpacking its layers.
      const kinds: Kind[] = pull ? ['plain', 'pulled', 'injected'] : ['plain', 'injected'];
      for (const kind of kinds) await startOnce(node, events, `warm-${kind}`, kind, pull);
      const starts: Record<Kind, Start[]> = { plain: [], injected: [], pulled: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < kinds.length; i++) {
          const kind = kinds[(i + round) % kinds.length] ?? 'plain';
          starts[kind].push(await startOnce(node, events, `${kind}-${round}`, kind, pull));
        }
      }
      // Before the node stops: ctr would report containerd going away.
      events.stop();
      const dry = await dryRunCreates(node);
      const ms = (list: Start[]) => list.map((s) => s.ms);
      const p50 = { plain: median(ms(starts.plain)), injected: median(ms(starts.injected)) };
      const ratio = p50.injected / p50.plain;
      const show = (values: number[]) => values.map(seconds).join(' ');
      process.stdout.write(
        [
          `plain pod, apply → available (s): ${show(ms(starts.plain))}`,
          `injected pod (sidecar image on the node${pull ? '; it mounts the pull secret' : ''}), apply → available (s): ${show(ms(starts.injected))}`,
          `p50: plain ${seconds(p50.plain)} s, injected ${seconds(p50.injected)} s, ` +
            `added ${seconds(p50.injected - p50.plain)} s; injected/plain ${ratio.toFixed(2)}× ` +
            `(goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'missed'})`,
          phaseLine('plain phases, p50', starts.plain),
          phaseLine('injected phases, p50', starts.injected),
          ...(pull ? pullLines(p50.plain, starts.pulled) : []),
          `pod create, server-side dry run, p50 of ${DRY_RUNS}: plain ${median(dry.plain).toFixed(1)} ms, ` +
            `opted in (through the webhook) ${median(dry.injected).toFixed(1)} ms`,
          '',
        ].join('\n'),
      );
      await node.kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
    }),
  ),
);
