// npm run bench:registry -- --replicas 2 — the 5,000 simulated sidecars of registry.ts against N server
// replicas sharing registrations through the real API server (`coordination.mode: kubernetes`, the image's
// bundle and node flags; BENCH_SERVER_ENTRY=dist for the compiled dist/). The first round registers each sidecar through replica i mod N; every later
// round renews each through a replica picked at random, as a load balancer might. Printed: renewal p50
// and p99, each replica's CPU and RSS, and the API server's own count of writes to Leases
// (apiserver_request_total by verb, resource leases) per recorder per minute over the renewal rounds,
// less what the cluster writes to Leases when idle (measured first, same run), with the machine's load.
// Then the bare Fastify baseline under the same renewal load, and the ratio.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { SERVER_RESOURCES } from '../../operator/furnace/plan-server.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import type { ChildProcess } from '../harness/child-processes.ts';
import { createNamespace, deleteRunObjects } from '../harness/cluster.ts';
import { writeCertificateFiles } from '../harness/certificate-files.ts';
import { writeClusterServerConfig, type ClusterServerConfig } from '../harness/cluster-server-config.ts';
import { getControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { quantityBytes, spawnWithMemoryLimit, type MemoryGroup } from '../harness/memory-limit.ts';
import { freePort } from '../harness/ports.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { percentile } from '../harness/stats.ts';
import { buildDist } from '../process/server-processes.ts';
import {
  createSidecarPods,
  failureSamples,
  processStats,
  RENEW_SECONDS,
  round,
  serverEntry,
  serverImageEnv,
  serverNodeArgs,
  forgetReviewTickets,
  SIDECARS,
  startBaseline,
  waitListening,
  type Call,
  type ProcessStats,
  type Target,
} from './registry-load.ts';

const NO_STATS: ProcessStats = { rssMiB: 0, anonMiB: 0, fileMiB: 0, cpuMs: 0 };

/** Renewal rounds after the first registrations: 150 s, two of a Lease's write periods (75 s at 15 s renewals). */
const RENEWAL_ROUNDS = Number(process.env.BENCH_RENEWAL_ROUNDS ?? 10);
const IDLE_SECONDS = 30;
/** BENCH_SHARED_ONLY=1: no fleet of one replica (the shared fleets and bare Fastify only), for a shorter run. */
const SHARED_ONLY = Boolean(process.env.BENCH_SHARED_ONLY);
const WRITE_VERBS = ['POST', 'PUT', 'PATCH', 'DELETE'];

interface Replica {
  name: string;
  config: ClusterServerConfig;
  process: ChildProcess;
  /** Its memory group at the Deployment's limit, as in its pod. */
  group: MemoryGroup;
  target: Target;
  /** The sample with the highest RSS so far. */
  peak: ProcessStats;
}

/** BENCH_PROBE_DIR: each replica runs registry-probe.ts, and the calls slower than 10 ms go to slow.jsonl there. */
const PROBE_DIR = process.env.BENCH_PROBE_DIR;
const PROBE = join(PROJECT_ROOT, 'test', 'bench', 'registry-probe.ts');

/** The probe, and with BENCH_PROBE_CPU_PROF=1 a CPU profile of each replica's main thread, written at its exit. */
const probeArgs = (dir: string): string[] => [
  '--import',
  PROBE,
  ...(process.env.BENCH_PROBE_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
];

async function writeSlowCalls(label: string, calls: Call[], through: string[]): Promise<void> {
  const lines = calls.flatMap((call, i) =>
    call.ms > 10
      ? [JSON.stringify({ label, at: call.at, ms: Math.round(call.ms * 10) / 10, replica: through[i] })]
      : [],
  );
  if (lines.length > 0) await appendFile(join(PROBE_DIR ?? '.', 'slow.jsonl'), `${lines.join('\n')}\n`);
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** The API server's count of Lease writes, by verb, from its own /metrics. */
/** The API server's own count of write requests to `resource` so far, by verb. */
async function leaseWrites(cp: ControlPlane, resource = 'leases'): Promise<Record<string, number>> {
  const { stdout, code, stderr } = await cp.kubectl(['get', '--raw', '/metrics']);
  if (code !== 0) throw new Error(`kubectl get --raw /metrics: ${stderr}`);
  const counts: Record<string, number> = Object.fromEntries(WRITE_VERBS.map((verb) => [verb, 0]));
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes(`resource="${resource}"`)) continue;
    const verb = /verb="([A-Z]+)"/.exec(line)?.[1] ?? '';
    if (verb in counts) counts[verb] = (counts[verb] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return counts;
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

async function startReplica(
  cp: ControlPlane,
  dir: string,
  name: string,
  shared: ({ namespace: string; keyFile: string } | object) & {
    nodeArgs: string[];
    env?: Record<string, string>;
  },
): Promise<Replica> {
  const replicaDir = join(dir, name);
  await mkdir(replicaDir);
  const sharing =
    'keyFile' in shared
      ? {
          replicas: { name },
          coordination: { mode: 'kubernetes', namespace: shared.namespace },
          security: { sharedKeyFile: shared.keyFile },
        }
      : {};
  const config = await writeClusterServerConfig(replicaDir, {
    extra: { ...sharing, webhook: { enabled: false }, logLevel: 'warn' },
  });
  const { child, group } = spawnWithMemoryLimit(
    quantityBytes(SERVER_RESOURCES.limits.memory),
    process.execPath,
    PROBE_DIR ? [...probeArgs(PROBE_DIR), ...shared.nodeArgs] : shared.nodeArgs,
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...serverImageEnv(),
        ...shared.env,
        FURNACE_CONFIG: config.configFile,
        KUBECONFIG: cp.kubeconfigPath,
        ...(PROBE_DIR ? { BENCH_PROBE_DIR: PROBE_DIR } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = { agent, port: config.recorderPort, ca: config.certs.caPem };
  await waitListening(target);
  await eventually(
    async () =>
      (await httpsCall(`https://127.0.0.1:${config.port}/readyz`, config.certs.caPem)).status === 200
        ? true
        : undefined,
    120_000,
    `${name} to be ready`,
  );
  if (PROBE_DIR)
    console.log(`${name}: pid ${child.pid ?? 0}, probe ${PROBE_DIR}/probe-${child.pid ?? 0}.jsonl`);
  return { name, config, process: child, group, target, peak: NO_STATS };
}

async function stopReplica(replica: Replica): Promise<void> {
  replica.target.agent.destroy();
  if (replica.process.exitCode === null && replica.process.signalCode === null) {
    replica.process.kill('SIGTERM');
    await once(replica.process, 'exit');
  }
  replica.group.remove();
}

async function roundThrough(
  label: string,
  replicas: Replica[],
  tokens: string[],
  pick: (i: number) => Target,
): Promise<number> {
  const before = await Promise.all(replicas.map((r) => processStats(r.process.pid ?? 0)));
  const through: string[] = [];
  const result = await round(tokens, (i) => {
    const target = pick(i);
    through[i] = replicas.find((r) => r.target === target)?.name ?? '';
    return target;
  });
  if (PROBE_DIR) await writeSlowCalls(label, result.calls, through);
  const after = await Promise.all(replicas.map((r) => processStats(r.process.pid ?? 0)));
  const sorted = [...result.ms].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const each = replicas.map((replica, i) => {
    const cpu = (((after[i]?.cpuMs ?? 0) - (before[i]?.cpuMs ?? 0)) / (RENEW_SECONDS * 1000)) * 100;
    return `${replica.name} CPU ${cpu.toFixed(0)}%, RSS ${(after[i]?.rssMiB ?? 0).toFixed(0)} MiB`;
  });
  console.log(
    `${label}: ${tokens.length} calls in ${RENEW_SECONDS} s, p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, failures ${result.failures}; ${each.join('; ')}; load ${load()}`,
  );
  return p99;
}

/** Every renewal round through a replica picked at random; the p99 of the worst round. */
async function renewals(replicas: Replica[], tokens: string[]): Promise<number> {
  let worst = 0;
  for (let r = 1; r <= RENEWAL_ROUNDS; r++) {
    const pick = (): Target => replicas[Math.floor(Math.random() * replicas.length)]!.target;
    worst = Math.max(worst, await roundThrough(`renewal round ${r}`, replicas, tokens, pick));
  }
  return worst;
}

async function baselineP99(dir: string, tokens: string[]): Promise<number> {
  const certs = await generateDevCertificates();
  const files = await writeCertificateFiles(dir, certs);
  const port = await freePort();
  const baseline = startBaseline(files, port);
  process.once('exit', () => baseline.kill('SIGKILL'));
  const target = { agent: new Agent({ keepAlive: true, maxSockets: 64 }), port, ca: certs.caPem };
  await waitListening(target);
  let worst = 0;
  for (let r = 1; r <= 2; r++) {
    const result = await round(tokens, () => target);
    const p99 = percentile(
      [...result.ms].sort((a, b) => a - b),
      99,
    );
    console.log(`baseline (bare Fastify HTTPS, constant answer) round ${r}: p99 ${p99.toFixed(2)} ms`);
    worst = Math.max(worst, p99);
  }
  target.agent.destroy();
  baseline.kill('SIGTERM');
  await once(baseline, 'exit');
  return worst;
}

/** Server processes this benchmark started: killed by their PIDs if it is stopped early. */
const children = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  });
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

interface FleetFigures {
  renewalP99: number;
  startRss: number[];
}

/** First registrations (replica i mod N), then the renewal rounds through a replica at random. */
async function runFleet(
  label: string,
  replicas: Replica[],
  tokens: string[],
  around: (renew: () => Promise<number>) => Promise<number> = (renew) => renew(),
): Promise<FleetFigures> {
  forgetReviewTickets();
  const start = await Promise.all(replicas.map((r) => processStats(r.process.pid ?? 0)));
  const startRss = start.map((s) => s.rssMiB);
  for (const [i, r] of replicas.entries()) r.peak = start[i] ?? NO_STATS;
  const sampler = setInterval(() => {
    for (const r of replicas)
      void processStats(r.process.pid ?? 0).then((s) => {
        if (s.rssMiB > r.peak.rssMiB) r.peak = s;
      });
  }, 250);
  const pickFirst = (i: number): Target => replicas[i % replicas.length]!.target;
  await roundThrough(`${label}, first registrations`, replicas, tokens, pickFirst);
  const renewalP99 = await around(() => renewals(replicas, tokens));
  clearInterval(sampler);
  const oomKills = replicas.map((r) => r.group.oomKills());
  for (const replica of replicas) await stopReplica(replica);
  for (const [i, r] of replicas.entries())
    console.log(
      `${label}: ${r.name} RSS start ${(startRss[i] ?? 0).toFixed(0)} MiB (anonymous ${(start[i]?.anonMiB ?? 0).toFixed(0)}, file ${(start[i]?.fileMiB ?? 0).toFixed(0)}), peak ${r.peak.rssMiB.toFixed(0)} MiB (anonymous ${r.peak.anonMiB.toFixed(0)}, file ${r.peak.fileMiB.toFixed(0)}); OOM kills under the ${SERVER_RESOURCES.limits.memory} limit: ${oomKills[i] ?? 0}`,
    );
  return { renewalP99, startRss };
}

/** What the cluster writes to Leases when nobody registers, per second (the controller manager's leader election). */
async function idleLeaseWrites(cp: ControlPlane): Promise<number> {
  const before = total(await leaseWrites(cp));
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const perSecond = (total(await leaseWrites(cp)) - before) / IDLE_SECONDS;
  console.log(`idle cluster: ${(perSecond * 60).toFixed(0)} Lease writes a minute`);
  return perSecond;
}

/** Lease writes the renewal rounds caused, per recorder per minute, from the API server's metrics. */
function countWrites(cp: ControlPlane, idlePerSecond: number) {
  return async (renew: () => Promise<number>): Promise<number> => {
    const before = await leaseWrites(cp);
    const reviewsBefore = total(await leaseWrites(cp, 'tokenreviews'));
    const from = performance.now();
    const p99 = await renew();
    const seconds = (performance.now() - from) / 1000;
    const after = await leaseWrites(cp);
    const reviews = total(await leaseWrites(cp, 'tokenreviews')) - reviewsBefore;
    console.log(
      `API server TokenReviews over ${seconds.toFixed(0)} s of renewals: ${reviews}, ${(reviews / SIDECARS / (seconds / 60)).toFixed(2)} per recorder per minute`,
    );
    const byVerb = WRITE_VERBS.map((verb) => `${verb} ${(after[verb] ?? 0) - (before[verb] ?? 0)}`).join(
      ', ',
    );
    const written = total(after) - total(before) - idlePerSecond * seconds;
    console.log(
      `API server Lease writes over ${seconds.toFixed(0)} s of renewals: ${byVerb}; less idle, ${written.toFixed(0)}: ${(written / SIDECARS / (seconds / 60)).toFixed(2)} per recorder per minute (target ≤ 1)`,
    );
    return p99;
  };
}

/** N replicas sharing registrations, then one alone, from one command line (node flags and script). */
async function compareFleets(
  cp: ControlPlane,
  dir: string,
  count: number,
  tokens: string[],
  compare: { label: string; nodeArgs: string[]; env?: Record<string, string> },
): Promise<void> {
  const { label, nodeArgs, env = {} } = compare;
  console.log(
    `${label}: ${Object.entries(env)
      .map(([k, v]) => `${k}=${v} `)
      .join('')}node ${nodeArgs.join(' ')}`,
  );
  const namespace = await createNamespace(cp.kubeConfig(), { prefix: 'furnace' });
  const shared = { namespace, keyFile: join(dir, 'shared-key'), nodeArgs, env };
  const replicas: Replica[] = [];
  for (let i = 0; i < count; i++)
    replicas.push(await startReplica(cp, dir, `${label}-${String.fromCharCode(97 + i)}`, shared));
  await runFleet(`${count} replicas, ${label}`, replicas, tokens);
  if (!SHARED_ONLY)
    await runFleet(
      `one replica, ${label}`,
      [await startReplica(cp, dir, `${label}-single`, { nodeArgs, env })],
      tokens,
    );
}

/**
 * The same fleets again in the same run, on the same pods (each with a fresh Lease namespace):
 * BENCH_COMPARE_DIST=1 from the compiled dist/, as the image ran the server before the bundle;
 * BENCH_COMPARE_ENTRY=dist/bundle-base/server.mjs another script (a bundle of other code, built before);
 * BENCH_COMPARE_NODE_ARGS="…" and BENCH_COMPARE_ENV="NAME=value …" the image's script with these node flags
 * added to the image's and these variables in its environment.
 */
async function comparisons(
  cp: ControlPlane,
  dir: string,
  count: number,
  tokens: string[],
  entry: string,
): Promise<void> {
  const flags = await serverNodeArgs();
  if (process.env.BENCH_COMPARE_DIST) {
    buildDist();
    await compareFleets(cp, dir, count, tokens, {
      label: 'dist',
      nodeArgs: [...flags, 'dist/server/main.js'],
    });
  }
  const other = process.env.BENCH_COMPARE_ENTRY;
  if (other) await compareFleets(cp, dir, count, tokens, { label: 'entry', nodeArgs: [...flags, other] });
  const extra = (process.env.BENCH_COMPARE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const env = Object.fromEntries(
    (process.env.BENCH_COMPARE_ENV ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  if (extra.length > 0 || Object.keys(env).length > 0)
    await compareFleets(cp, dir, count, tokens, {
      label: 'flags',
      nodeArgs: [...flags, ...extra, entry],
      env,
    });
}

export async function benchReplicas(count: number): Promise<void> {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bench-replicas-'));
  try {
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, node ${process.version}, load ${load()}`,
    );
    const entry = await serverEntry();
    const leases = await createNamespace(kc, { prefix: 'furnace' });
    const namespace = await createNamespace(kc, { enabled: true });
    const setupStart = performance.now();
    const tokens = await createSidecarPods(kc, namespace);
    console.log(
      `set-up: ${SIDECARS} injected pods and tokens in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`,
    );
    const keyFile = join(dir, 'shared-key');
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    // node's flags as the image sets them, then the script
    const nodeArgs = [...(await serverNodeArgs()), entry];
    const imageEnv = Object.entries(serverImageEnv()).map(([k, v]) => `${k}=${v} `);
    console.log(`replicas run: ${imageEnv.join('')}node ${nodeArgs.join(' ')}`);
    const shared = { namespace: leases, keyFile, nodeArgs };
    const idlePerSecond = await idleLeaseWrites(cp);
    const replicas: Replica[] = [];
    for (let i = 0; i < count; i++)
      replicas.push(await startReplica(cp, dir, `replica-${String.fromCharCode(97 + i)}`, shared));
    const fleet = await runFleet(`${count} replicas`, replicas, tokens, countWrites(cp, idlePerSecond));
    for (const [failure, n] of failureSamples) console.log(`failed ${n}×: ${failure}`);
    // Same run, the same load against one replica as today (coordination.mode single), then bare Fastify.
    const single = SHARED_ONLY
      ? { renewalP99: NaN }
      : await runFleet(
          'one replica, not shared',
          [await startReplica(cp, dir, 'single', { nodeArgs })],
          tokens,
        );
    const bare = await baselineP99(dir, tokens);
    await comparisons(cp, dir, count, tokens, entry);
    console.log(
      `renewal p99: ${count} replicas ${fleet.renewalP99.toFixed(2)} ms, one replica ${single.renewalP99.toFixed(2)} ms, bare Fastify ${bare.toFixed(2)} ms (ratio to one replica ${(fleet.renewalP99 / single.renewalP99).toFixed(2)}; target ≤ 20 ms); load ${load()}`,
    );
  } finally {
    await deleteRunObjects(kc);
    await rm(dir, { recursive: true, force: true });
  }
}
