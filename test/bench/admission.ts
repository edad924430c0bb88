// npm run bench:admission — pod creates through the real kube-apiserver of the test harness, as a user
// or a ReplicaSet controller makes them, at a fixed 50 per second (open loop), in three phases that take
// turns in short slices of the same run:
//   injected      namespace labelled furnace=enabled, pod labelled furnace: enabled: the API server calls
//                 the Furnace server's webhook listener over TLS and the pod is stored with the sidecar;
//   not opted in  the same namespace, the pod without the label: the webhook's CEL match condition says no
//                 and the API server makes no call;
//   no webhook    a namespace without the label: the namespace selector says no, nothing is evaluated for
//                 the pod (the baseline).
// The server is the real one (compiled dist/server/main.js in cluster mode, as the image runs it), its
// webhook registered with a MutatingWebhookConfiguration generated as deploy/ and the operator generate
// it. Reports p50/p99 per create for each phase and the added p50/p99 of the injected phase over the
// baseline (target: ≤ 5 ms added at p99). Pods are deleted between slices (no scheduler: they stay
// Pending). Bounded: about two and a half minutes with the control plane's start.
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { WEBHOOK_NAME } from '../../core/injection/webhook-configuration.ts';
import { createNamespace, deleteRunObjects, RUN_ID } from '../harness/cluster.ts';
import { getControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { eventually } from '../harness/eventually.ts';
import { cpuMs } from '../harness/process-usage.ts';
import { percentile } from '../harness/stats.ts';
import { buildDist } from '../process/server-processes.ts';
import { hasSidecar, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import {
  addBuckets,
  bucketsBetween,
  describeBuckets,
  webhookCallBuckets,
  type CallBuckets,
  type ServerLines,
  type ServerSample,
} from './admission-observers.ts';
import { startServer } from './admission-server.ts';
import {
  ANCHOR_LABEL,
  furnacePatch,
  registerWebhooks,
  startAnchor,
  webhookConfigurations,
} from './admission-anchor.ts';
import { runBench, type BenchContext } from './bench-kit.ts';
import { realisticPod } from './webhook-review.ts';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SLICE_MS = 5_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_MS = 2_000;
/**
 * BENCH_RUNNING_PODS=1: each pod, once created, is given an IP and the phase Running, as its kubelet would
 * report (no kubelet runs here). The server's pod watch follows only pods with an IP, so without this it
 * receives none of the bench's pods; with it, one event per pod, as the first of a running pod's events in
 * a cluster. It costs the API server a status write per pod.
 */
const RUNNING_PODS = process.env.BENCH_RUNNING_PODS === '1';

interface Phase {
  name: string;
  namespace: string;
  /** The webhook that answers this phase's pods (its calls are read from the API server's histogram). */
  webhook: string;
  optIn: boolean;
  latencies: number[];
  created: number;
  injected: number;
  failures: Map<string, number>;
  apiserverCpuMs: number;
  furnaceCpuMs: number;
  /** The API server's histogram of its calls to the webhook. */
  calls: CallBuckets;
  /**
   * The Furnace server's time from request to answer, its main-thread CPU during each call (ms), and its
   * garbage collections.
   */
  server: ServerSample;
}

interface Observed {
  cp: ControlPlane;
  pids: { apiserver: number; furnace: number; anchor: number };
  lines: ServerLines;
  /** The anchor's answers: its time from request to answer, read as Fastify reads Furnace's. */
  anchorLines: ServerLines;
}

/** The benchmark's pod: a Deployment's pod with three containers, 40 env vars and six volumes. */
function benchPod(optIn: boolean): V1Pod {
  const pod = realisticPod();
  const labels = { ...(pod.metadata.labels as Record<string, string>) };
  if (!optIn) delete labels.furnace;
  // No owner (the garbage collector would delete pods of a ReplicaSet that does not exist), no namespace.
  const metadata = { generateName: 'shop-api-', labels, annotations: pod.metadata.annotations };
  return { ...pod, metadata, status: undefined } as V1Pod;
}

/** The status a kubelet reports for a running pod: an IP (from a made-up range) and the phase. */
async function setRunning(core: CoreV1Api, pod: V1Pod, i: number): Promise<void> {
  const ip = `10.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
  await core.patchNamespacedPodStatus(
    {
      name: pod.metadata?.name ?? '',
      namespace: pod.metadata?.namespace ?? '',
      body: { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Creates on a fixed schedule whatever the answers do; latency from the call to its answer. */
async function createAtRate(
  core: CoreV1Api,
  phase: Phase,
  ms: number,
): Promise<{ latencies: number[]; pods: V1Pod[] }> {
  const latencies: number[] = [];
  const pods: V1Pod[] = [];
  const pending: Promise<void>[] = [];
  const body = benchPod(phase.optIn);
  const fail = (what: string): void => {
    const key = what.slice(0, 200);
    phase.failures.set(key, (phase.failures.get(key) ?? 0) + 1);
  };
  const start = performance.now();
  const count = Math.floor((ms / 1000) * RATE);
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    pending.push(
      core.createNamespacedPod({ namespace: phase.namespace, body }).then(
        async (pod) => {
          latencies.push(performance.now() - sent);
          pods.push(pod);
          if (RUNNING_PODS)
            await setRunning(core, pod, i).catch((error: unknown) => fail(`status: ${String(error)}`));
        },
        (error: unknown) => fail(String(error)),
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, pods };
}

/** Deletes every pod of the namespace and waits until none is left (no kubelet: deletion is immediate). */
async function deletePods(core: CoreV1Api, namespace: string): Promise<void> {
  await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
  await eventually(
    async () => ((await core.listNamespacedPod({ namespace })).items.length === 0 ? true : undefined),
    30_000,
    `the pods of ${namespace} to be deleted`,
  );
}

function addSample(into: ServerSample, more: ServerSample): void {
  into.responseMs.push(...more.responseMs);
  into.mutateCpuMs.push(...more.mutateCpuMs);
  for (const [kind, { count, pauseMs }] of more.gc) {
    const known = into.gc.get(kind) ?? { count: 0, pauseMs: 0 };
    into.gc.set(kind, { count: known.count + count, pauseMs: known.pauseMs + pauseMs });
  }
}

async function slice(
  core: CoreV1Api,
  phase: Phase,
  observed: Observed,
  ms: number,
  record: boolean,
): Promise<void> {
  const { pids, cp, lines, anchorLines } = observed;
  const calls = await webhookCallBuckets(cp, phase.webhook);
  lines.take();
  anchorLines.take();
  // The webhook's CPU: Furnace's, or the anchor's in the anchor's phase.
  const webhookPid = phase.webhook === WEBHOOK_NAME ? pids.furnace : pids.anchor;
  const before = { apiserver: await cpuMs(pids.apiserver), furnace: await cpuMs(webhookPid) };
  const { latencies, pods } = await createAtRate(core, phase, ms);
  if (record) {
    addBuckets(phase.calls, bucketsBetween(calls, await webhookCallBuckets(cp, phase.webhook)));
    // Only the phase's own webhook answers: Furnace's lines, or the anchor's in its phase.
    addSample(phase.server, lines.take());
    addSample(phase.server, anchorLines.take());
    phase.apiserverCpuMs += (await cpuMs(pids.apiserver)) - before.apiserver;
    phase.furnaceCpuMs += (await cpuMs(webhookPid)) - before.furnace;
    phase.latencies.push(...latencies);
    phase.created += pods.length;
    phase.injected += pods.filter(hasSidecar).length;
  }
  await deletePods(core, phase.namespace);
  // Let the deletions' watch events and etcd compaction settle before the next phase's slice.
  await sleep(1_000);
}

/** The API server loads webhook configurations asynchronously: dry-run creates until the anchor's patch shows. */
async function waitUntilPatched(core: CoreV1Api, namespace: string): Promise<void> {
  await eventually(
    async () => {
      const created = await core.createNamespacedPod({ namespace, body: benchPod(true), dryRun: 'All' });
      return hasSidecar(created) ? true : undefined;
    },
    20_000,
    'the anchor webhook to patch',
  );
}

function p50p99(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0
    ? '–'
    : `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)}`;
}

/** "412 scavenges 180 ms, 3 mark-compacts 30 ms" (pauses together), the kinds that happened. */
function describeGc(gc: ServerSample['gc']): string {
  const kinds = [...gc].map(([kind, { count, pauseMs }]) => `${count} ${kind} ${pauseMs.toFixed(0)} ms`);
  return kinds.length === 0 ? '–' : kinds.join(', ');
}

function row(phase: Phase): string {
  const sorted = [...phase.latencies].sort((a, b) => a - b);
  const perCreate = (ms: number): string => (ms / Math.max(1, phase.created)).toFixed(2);
  return `| ${phase.name} | ${phase.created} (${phase.injected} with the sidecar) | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${percentile(sorted, 100).toFixed(1)} | ${perCreate(phase.apiserverCpuMs)} | ${perCreate(phase.furnaceCpuMs)} | ${p50p99(phase.server.responseMs)} | ${p50p99(phase.server.mutateCpuMs)} | ${describeGc(phase.server.gc)} | ${describeBuckets(phase.calls, [0.005, 0.025])} |`;
}

/** Furnace's added p99 against the anchor's (target ≤ 1.2×); no ratio when the anchor added nothing. */
function anchorLine(furnaceAdded: number, anchorAdded: number): string {
  const ratio =
    anchorAdded > 0
      ? `${(furnaceAdded / anchorAdded).toFixed(2)}×`
      : 'no ratio (the anchor added nothing at p99)';
  return `Furnace against the anchor: added p99 ${furnaceAdded.toFixed(2)} against ${anchorAdded.toFixed(2)} ms, ${ratio} (target ≤ 1.2×)`;
}

/** The in-server p99 of Furnace and of the anchor, the least a webhook takes on this machine at this load. */
function inServerLine(injected: Phase | undefined, anchor: Phase | undefined): string {
  const p99 = (phase: Phase | undefined): string => {
    const sorted = [...(phase?.server.responseMs ?? [])].sort((a, b) => a - b);
    return sorted.length === 0 ? '–' : `${percentile(sorted, 99).toFixed(2)} ms`;
  };
  return `in-server p99 (request to answer, inside the webhook's process): Furnace ${p99(injected)}, the anchor ${p99(anchor)}; target ≤ 2 ms`;
}

function report(phases: Phase[]): string {
  const [injected, , baseline, anchor] = phases;
  const p = (phase: Phase | undefined, q: number): number =>
    percentile(
      [...(phase?.latencies ?? [])].sort((a, b) => a - b),
      q,
    );
  const failures = phases.flatMap((ph) => [...ph.failures].map(([what, n]) => `${ph.name}: ${n}× ${what}`));
  return [
    `load: ${RATE} pod creates/s open loop${RUNNING_PODS ? ', each pod then set Running with an IP (BENCH_RUNNING_PODS=1)' : ''}; each phase ${(ROUNDS * SLICE_MS) / 1000} s in ${ROUNDS} slices taking turns, after ${WARMUP_MS / 1000} s warm-up; pods deleted after every slice`,
    '',
    '| phase | pods created | p50 ms | p99 ms | max ms | API server CPU ms/create | webhook server CPU ms/create (Furnace, or the anchor in its phase) | in the webhook server p50 / p99 ms (Furnace, or the anchor in its phase) | Furnace main-thread CPU per call p50 / p99 ms | Furnace GCs during the phase (count, pauses together) | webhook calls as the API server timed them |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...phases.map(row),
    '',
    `added by the webhook (injected − no webhook): p50 ${(p(injected, 50) - p(baseline, 50)).toFixed(2)} ms, p99 ${(p(injected, 99) - p(baseline, 99)).toFixed(2)} ms`,
    `added by the anchor (anchor − no webhook): p50 ${(p(anchor, 50) - p(baseline, 50)).toFixed(2)} ms, p99 ${(p(anchor, 99) - p(baseline, 99)).toFixed(2)} ms`,
    anchorLine(p(injected, 99) - p(baseline, 99), p(anchor, 99) - p(baseline, 99)),
    `p99 ${(p(injected, 99) / p(anchor, 99)).toFixed(2)}×, p50 ${(p(injected, 50) / p(anchor, 50)).toFixed(2)}× of the anchor's`,
    inServerLine(injected, anchor),
    ...(failures.length > 0 ? ['', 'failed creates:', ...failures] : []),
    '',
  ].join('\n');
}

function newPhase(name: string, namespace: string, optIn: boolean, webhook = WEBHOOK_NAME): Phase {
  const failures = new Map<string, number>();
  return {
    name,
    namespace,
    webhook,
    optIn,
    latencies: [],
    created: 0,
    injected: 0,
    failures,
    apiserverCpuMs: 0,
    furnaceCpuMs: 0,
    calls: new Map(),
    server: { responseMs: [], mutateCpuMs: [], gc: new Map() },
  };
}

async function measure(bench: BenchContext): Promise<void> {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  bench.t.after(() => deleteRunObjects(kc));
  buildDist();
  const core = kc.makeApiClient(CoreV1Api);
  const server = await startServer(bench, cp.kubeconfigPath);
  const patch = await furnacePatch(server.webhookPort, server.certs.caPem, benchPod(true));
  const anchor = await startAnchor(bench, server.dir, server.certs, patch);
  const configurations = webhookConfigurations(server.webhookPort, anchor.port, server.certs.caPem);
  bench.t.after(await registerWebhooks(kc, configurations));
  const enabled = await createNamespace(kc, { enabled: true });
  const plain = await createNamespace(kc);
  const anchored = await createNamespace(kc, { enabled: true, labels: { [ANCHOR_LABEL]: RUN_ID } });
  await waitUntilInjecting(kc, enabled);
  await waitUntilPatched(core, anchored);
  const anchorWebhook = configurations[1]?.webhooks?.[0]?.name ?? '';
  const phases = [
    newPhase('injected (furnace=enabled namespace, pod opted in)', enabled, true),
    newPhase('not opted in (furnace=enabled namespace, pod without the label)', enabled, false),
    newPhase('no webhook (namespace without the label)', plain, false),
    newPhase(
      `anchor: a minimal webhook answering the same ${Buffer.from(patch, 'base64').length}-byte patch`,
      anchored,
      true,
      anchorWebhook,
    ),
  ];
  const observed = {
    cp,
    pids: { apiserver: cp.apiserverPid, furnace: server.pid, anchor: anchor.pid },
    lines: server.lines,
    anchorLines: anchor.lines,
  };
  for (const phase of phases) await slice(core, phase, observed, WARMUP_MS, false);
  for (let round = 0; round < ROUNDS; round++) {
    // The order turns every round, so that no phase always follows the same one.
    for (let i = 0; i < phases.length; i++) {
      const phase = phases[(i + round) % phases.length];
      if (phase) await slice(core, phase, observed, SLICE_MS, true);
    }
  }
  process.stdout.write(report(phases));
  for (const phase of phases.filter((p) => p.optIn)) {
    if (phase.injected !== phase.created) {
      throw new Error(
        `${phase.name}: ${phase.created - phase.injected} opted-in pods stored without the sidecar`,
      );
    }
  }
}

await runBench('bench:admission', measure);
