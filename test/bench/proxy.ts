// npm run bench:proxy — requests per second and p99 latency through the server's proxy route, through
// nginx (the baseline: a mature reverse proxy) and straight to the same stand-in sidecar, in one run
// with interleaved rounds; then a 200 MB artifact through the proxy and from the catalog, with the
// server's peak RSS during each download. Bounded: about two minutes in all.
//
// BENCH_BEFORE_ROOT=<another checkout> adds a second server, run from that checkout, to the same
// rounds: a change to the proxy path is measured against the code before it in the same conditions.
// BENCH_BARE=1 adds two stand-ins without any of Furnace's code: Fastify with @fastify/http-proxy
// (proxy-bare-http-proxy.ts) and node:http with an undici Pool (proxy-bare-undici.ts).
// Beside CPU per request, each proxy's main thread is read from /proc/PID/schedstat: µs on a CPU, times
// it was given a CPU (wake-ups) and µs it waited for one, per request. BENCH_SERVER_ENTRY=image runs each
// server as the image does (proxy-processes.ts).
// BENCH_PIN=1 gives the proxies CPU 1 and the rest (this process, which generates the load, and the stand-in
// sidecar) CPU 0, every thread (taskset -a): each proxy then has a core the load generator does not share, as
// a server replica has in a cluster. Every proxy is pinned the same way, nginx included.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, hostname, loadavg, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from '../harness/child-processes.ts';
import { freePort } from '../harness/ports.ts';
import { run } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import {
  runLoad,
  summarize,
  waitHttp,
  type LoadRun,
  type LoadSummary,
  type LoadTarget,
} from './http-load.ts';
import { findNginx, NGINX_INSTALL_HINT, nginxPids, startNginx } from './nginx-proxy.ts';
import {
  BEFORE_ENTRY,
  SERVER_ENTRY,
  startServer,
  startStandIn,
  stop,
  type Server,
} from './proxy-processes.ts';
import { ARTIFACT_BYTES, measureDownloads } from './proxy-downloads.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
// Furnace's server is one Node process with one event loop; one nginx worker is the like-for-like.
const NGINX_WORKERS = Number(process.env.BENCH_NGINX_WORKERS ?? 1);

const fmt = (n: number, digits = 2): string => n.toFixed(digits);

const PIN = process.env.BENCH_PIN === '1';

/** Pins every thread of each process to one CPU (BENCH_PIN=1). */
async function pin(cpu: number, pids: readonly number[]): Promise<void> {
  for (const pid of pids) await run('taskset', ['-a', '-p', '-c', String(cpu), String(pid)]);
}

/** ROUNDS rounds of SECONDS against each target; each round starts with the next target (rotated). */
async function measure(
  targets: Map<string, LoadTarget>,
  concurrency: number,
): Promise<Map<string, LoadSummary>> {
  const names = [...targets.keys()];
  const runs = new Map<string, LoadRun[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length] ?? '';
      const target = targets.get(name);
      if (target) runs.get(name)?.push(await runLoad(target, concurrency, SECONDS));
    }
  }
  return new Map(names.map((name) => [name, summarize(runs.get(name) ?? [])]));
}

const loadNow = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const PROXY_PROCESS: Record<string, string> = {
  nginx: 'nginx',
  Furnace: 'server',
  before: 'server',
  'http-proxy': 'stand-in',
  undici: 'stand-in',
};

function schedLine(s: LoadSummary): string {
  const sched = s.schedPerRequest;
  if (!sched) return '';
  return `; its main thread per request: ${fmt(sched.runUs, 0)} µs on a CPU, woken ${fmt(sched.slices)} times (slept ${fmt(sched.voluntary)}, preempted ${fmt(sched.involuntary)}), waited ${fmt(sched.waitUs, 0)} µs for a CPU`;
}

function report(concurrency: number, results: Map<string, LoadSummary>): void {
  console.log(
    `load: GET a recording list over ${concurrency} keep-alive connection(s), ${ROUNDS} rounds × ${SECONDS} s each`,
  );
  for (const [name, s] of results) {
    const proxy = PROXY_PROCESS[name];
    const cpu = `CPU per request: sidecar ${fmt(s.cpuPerRequestUs[0] ?? 0, 0)} µs${proxy ? `, ${proxy} ${fmt(s.cpuPerRequestUs[1] ?? 0, 0)} µs` : ''}`;
    console.log(
      `  ${name.padEnd(10)}: ${fmt(s.rps, 0)} req/s (rounds ${s.roundsRps.map((r) => fmt(r, 0)).join(' / ')})  p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  errors ${s.errors}  ${cpu}${schedLine(s)}`,
    );
  }
  const d = results.get('direct');
  const n = results.get('nginx');
  const f = results.get('Furnace');
  const before = results.get('before');
  if (!d || !n || !f) return;
  const others = ['before', 'http-proxy', 'undici']
    .map((name) => [name, results.get(name)] as const)
    .flatMap(([name, r]) => (r ? [`; ${name}/nginx ${fmt(r.rps / n.rps)}`] : []));
  console.log(
    `  Furnace/nginx ${fmt(f.rps / n.rps)} (target ≥ 0.6); nginx/direct ${fmt(n.rps / d.rps)}; Furnace/direct ${fmt(f.rps / d.rps)}${others.join('')}`,
  );
  const target = concurrency >= 16 ? ' (target ≤ 2 ms)' : '';
  console.log(
    `  added p99 over direct: nginx ${fmt(n.p99 - d.p99)} ms, Furnace ${fmt(f.p99 - d.p99)} ms${target}${before ? `, before ${fmt(before.p99 - d.p99)} ms` : ''}`,
  );
}

async function writeArtifact(path: string): Promise<void> {
  const handle = await open(path, 'w');
  const block = Buffer.alloc(1024 * 1024, 7);
  for (let i = 0; i < ARTIFACT_BYTES / block.length; i++) await handle.write(block);
  await handle.close();
}

const BARE_STAND_INS = [
  ['http-proxy', 'test/bench/proxy-bare-http-proxy.ts'],
  ['undici', 'test/bench/proxy-bare-undici.ts'],
] as const;

async function addBareTargets(
  targets: Map<string, LoadTarget>,
  children: ChildProcess[],
  sidecarPort: number,
  server: Server,
  viaServer: (s: Server) => LoadTarget,
): Promise<void> {
  const env = {
    BENCH_UPSTREAM_PORT: String(sidecarPort),
    BENCH_UPSTREAM_AUTHORIZATION: `Bearer ${server.proxyToken}`,
  };
  for (const [name, script] of BARE_STAND_INS) {
    const bare = await startStandIn(children, script, env);
    targets.set(name, { ...viaServer({ ...server, ...bare }), headers: {} });
  }
}

/** The proxies on CPU 1 (each target's watched processes after the sidecar), the rest on CPU 0. */
async function pinAll(targets: Map<string, LoadTarget>, rest: number[]): Promise<void> {
  await pin(0, rest);
  for (const target of targets.values()) {
    const [, proxy = []] = await target.watched();
    await pin(1, proxy);
  }
}

function describeRun(nginxVersion: string): void {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 1024 ** 3, 1)} GiB, Linux ${release()}, node ${process.version}, nginx ${nginxVersion} (${NGINX_WORKERS} worker process${NGINX_WORKERS === 1 ? '' : 'es'}, upstream keepalive 32, HTTP/1.1)`,
  );
  if (PIN)
    console.log('pinned (BENCH_PIN=1): every proxy on CPU 1; the load generator and the sidecar on CPU 0');
  console.log(
    `server: ${SERVER_ENTRY === 'image' ? "as the image runs it (the bundle, Dockerfile.server's NODE_OPTIONS and ENV)" : 'from its sources through tsx (BENCH_SERVER_ENTRY=image: as the image runs it)'}${process.env.BENCH_BEFORE_ROOT ? `; before: ${BEFORE_ENTRY}` : ''}`,
  );
}

async function main(): Promise<void> {
  const nginxBinary = findNginx();
  if (!nginxBinary) {
    console.error(NGINX_INSTALL_HINT);
    process.exitCode = 1;
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bench-proxy-'));
  const artifact = join(dir, 'perf.data');
  await writeArtifact(artifact);
  const children: ChildProcess[] = [];
  try {
    const sidecar = await startStandIn(children, 'test/bench/proxy-stand-in-sidecar.ts', {
      BENCH_ARTIFACT: artifact,
    });
    const sidecarPort = sidecar.port;
    const server = await startServer(PROJECT_ROOT, join(dir, 'server'), sidecarPort);
    children.push(server.child);
    const beforeRoot = process.env.BENCH_BEFORE_ROOT;
    const before = beforeRoot
      ? await startServer(beforeRoot, join(dir, 'before'), sidecarPort, BEFORE_ENTRY)
      : undefined;
    if (before) children.push(before.child);
    const pod = hostname();
    const nginxPort = await freePort();
    const nginx = await startNginx({
      binary: nginxBinary.binary,
      dir: join(dir, 'nginx'),
      listenPort: nginxPort,
      upstreamPort: sidecarPort,
      prefix: `/proxy/local/${pod}`,
      authorization: `Bearer ${server.proxyToken}`,
      workers: NGINX_WORKERS,
    });
    children.push(nginx);
    await waitHttp(nginxPort, `/proxy/local/${pod}/recordings`);

    describeRun(nginxBinary.version);
    console.log(`start ${new Date().toISOString()}, load average ${loadNow()}`);
    const sidecarPid = sidecar.child.pid ?? 0;
    const path = `/proxy/local/${pod}/recordings`;
    const viaServer = (s: Server): LoadTarget => ({
      port: s.port,
      path,
      headers: s.keyed,
      watched: () => Promise.resolve([[sidecarPid], [s.child.pid ?? 0]]),
      scheduled: () => Promise.resolve(s.child.pid ?? 0),
    });
    const targets = new Map<string, LoadTarget>([
      [
        'direct',
        {
          port: sidecarPort,
          path: '/recordings',
          headers: { authorization: `Bearer ${server.proxyToken}` },
          watched: () => Promise.resolve([[sidecarPid]]),
        },
      ],
      [
        'nginx',
        {
          port: nginxPort,
          path,
          headers: {},
          watched: async () => [[sidecarPid], await nginxPids(nginx.pid ?? 0)],
          // The worker: the master only watches it.
          scheduled: async () => (await nginxPids(nginx.pid ?? 0))[1] ?? 0,
        },
      ],
      ['Furnace', viaServer(server)],
    ]);
    if (before) targets.set('before', viaServer(before));
    if (process.env.BENCH_BARE) await addBareTargets(targets, children, sidecarPort, server, viaServer);
    if (PIN) await pinAll(targets, [process.pid, sidecarPid]);
    for (const target of targets.values()) await runLoad(target, CONCURRENCY, 1); // warm-up
    for (const concurrency of [1, CONCURRENCY]) report(concurrency, await measure(targets, concurrency));
    console.log(`end ${new Date().toISOString()}, load average ${loadNow()}`);
    if (process.env.BENCH_SKIP_DOWNLOADS) return;

    await measureDownloads({ ...server, pod, serverPid: server.child.pid ?? 0, artifact });
  } finally {
    for (const child of children.reverse()) await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
