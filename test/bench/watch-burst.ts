// npm run bench:watch-burst — how long one burst of pod watch events holds the server's event loop, which
// is what the admission webhook's calls wait behind (bench:admission deletes its 250 pods at once between
// slices). A namespace of 250 of bench:admission's pods is deleted with one deletecollection while an
// informer watches it, through client-node's Watch (every line of a chunk parsed in one turn) and through
// kube/paced-watch.ts (one event per turn), alternating, 3 rounds each; both slim the pods as the server's
// pod watch does; the deletion comes from kubectl. Printed per watch: the longest and the p99 event-loop delay during the burst, and the
// CPU time of the burst (thread CPU; load-insensitive), beside the load average.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CoreV1Api, ListWatch, Watch, type V1Pod } from '@kubernetes/client-node';
import { PacedWatch } from '../../kube/paced-watch.ts';
import { slimPod } from '../../server/kube/pod-watch.ts';
import { createNamespace, deleteRunObjects } from '../harness/cluster.ts';
import { getControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { eventually } from '../harness/eventually.ts';
import { loadAverage, runBench, type BenchContext } from './bench-kit.ts';
import { realisticPod } from './webhook-review.ts';

const PODS = 250;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Burst {
  maxMs: number;
  p99Ms: number;
  cpuMs: number;
  /** Turns of the loop that handed over deletions, the most in one turn, the CPU of the longest. */
  turns: number;
  mostEvents: number;
  longestTurnCpuMs: number;
}

const threadCpuMs = (): number => {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
};

async function createPods(core: CoreV1Api, namespace: string): Promise<void> {
  const pod = realisticPod();
  // As bench:admission's pods: no namespace in the body, no owner.
  const metadata = { generateName: 'shop-api-', labels: pod.metadata.labels };
  const body = { ...pod, metadata, status: undefined } as V1Pod;
  for (let i = 0; i < PODS; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, PODS - i) }, () => core.createNamespacedPod({ namespace, body })),
    );
  }
}

/** One deletecollection of PODS pods seen by an informer on `watch`. */
async function burst(cp: ControlPlane, makeWatch: () => Watch): Promise<Burst> {
  const kc = cp.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = await createNamespace(kc);
  await createPods(core, namespace);
  const list = async () => {
    const pods = await core.listNamespacedPod({ namespace });
    return { ...pods, items: pods.items.map(slimPod) };
  };
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const informer = new ListWatch<V1Pod>(path, makeWatch(), list, false);
  let deleted = 0;
  // Turns of the loop that handed over deletions: their events and the thread CPU since the turn before
  // (what a webhook call arriving then waits for, whatever the machine's load).
  const turns: { events: number; cpuMs: number }[] = [];
  let turnOpen = false;
  // Counted from the first deletion on: before it, the turns carry the kubectl call's own handling.
  let lastCpu: number | undefined;
  informer.on('delete', () => {
    deleted += 1;
    const now = threadCpuMs();
    if (!turnOpen) {
      turns.push({ events: 0, cpuMs: 0 });
      turnOpen = true;
      setImmediate(() => (turnOpen = false));
    }
    const turn = turns[turns.length - 1];
    if (turn) {
      turn.events += 1;
      turn.cpuMs += now - (lastCpu ?? now);
    }
    lastCpu = now;
  });
  await informer.start();
  await eventually(() => Promise.resolve(informer.list().length === PODS || undefined), 60_000, 'listed');
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const cpuBefore = threadCpuMs();
  delay.enable();
  // From another process (kubectl), as the server sees it: the answer lists every deleted pod, and parsing
  // it here would count against the turns measured.
  const removal = await cp.kubectl(['delete', '--raw', `${path}?gracePeriodSeconds=0`]);
  if (removal.code !== 0) throw new Error(`kubectl delete --raw ${path}: ${removal.stderr}`);
  await eventually(() => Promise.resolve(deleted === PODS || undefined), 60_000, 'every deletion seen');
  delay.disable();
  const cpuMs = threadCpuMs() - cpuBefore;
  await informer.stop();
  const turnCpu = turns.map((t) => t.cpuMs).sort((a, b) => a - b);
  return {
    maxMs: delay.max / 1e6,
    p99Ms: delay.percentile(99) / 1e6,
    cpuMs,
    turns: turns.length,
    mostEvents: Math.max(...turns.map((t) => t.events)),
    longestTurnCpuMs: turnCpu[turnCpu.length - 1] ?? 0,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function measure(bench: BenchContext): Promise<void> {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  bench.t.after(() => deleteRunObjects(kc));
  // A slim pod per event, as the server's SlimPodWatch does on either watch.
  const slimming = <W extends Watch>(watch: W): W => {
    const inner = watch.watch.bind(watch);
    watch.watch = (path, query, callback, done) =>
      inner(
        path,
        query,
        (phase, obj, raw) => callback(phase, phase === 'ERROR' ? obj : slimPod(obj as V1Pod), raw),
        done,
      );
    return watch;
  };
  const watches = {
    "client-node's Watch": () => slimming(new Watch(kc)),
    PacedWatch: () => slimming(new PacedWatch(kc)),
  };
  const results = new Map<string, Burst[]>(Object.keys(watches).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, makeWatch] of Object.entries(watches)) {
      const result = await burst(cp, makeWatch);
      results.get(name)?.push(result);
      console.log(
        `round ${round + 1}, ${name}: ${result.turns} turns, at most ${result.mostEvents} events in one, longest turn ${result.longestTurnCpuMs.toFixed(1)} ms CPU; loop delay max ${result.maxMs.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms; burst CPU ${result.cpuMs.toFixed(0)} ms; load ${loadAverage()}`,
      );
    }
  }
  console.log(
    `\n| watch (${PODS}-pod deletion, median of ${ROUNDS}) | most events in one turn | CPU of the longest turn | loop delay max / p99 (wall, load-sensitive) | CPU of the burst |`,
  );
  console.log('|---|---|---|---|---|');
  for (const [name, bursts] of results) {
    const m = (pick: (b: Burst) => number) => median(bursts.map(pick)).toFixed(1);
    console.log(
      `| ${name} | ${m((b) => b.mostEvents)} | ${m((b) => b.longestTurnCpuMs)} ms | ${m((b) => b.maxMs)} / ${m((b) => b.p99Ms)} ms | ${m((b) => b.cpuMs)} ms |`,
    );
  }
}

await runBench('bench:watch-burst', measure);
