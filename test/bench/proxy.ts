// npm run bench:proxy — requests per second and p99 latency through the server's proxy route, through
// nginx (the baseline: a mature reverse proxy) and straight to the same stand-in sidecar, in one run
// with interleaved rounds; then a 200 MB artifact through the proxy and from the catalog, with the
// server's peak RSS during each download. Bounded: about two minutes in all.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, hostname, loadavg, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/ports.ts';
import { rssKiB } from '../harness/process-usage.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import {
  call,
  runLoad,
  summarize,
  waitHttp,
  type LoadRun,
  type LoadSummary,
  type LoadTarget,
} from './http-load.ts';
import { findNginx, NGINX_INSTALL_HINT, nginxPids, startNginx } from './nginx-proxy.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
// Furnace's server is one Node process with one event loop; one nginx worker is the like-for-like.
const NGINX_WORKERS = Number(process.env.BENCH_NGINX_WORKERS ?? 1);
const ARTIFACT_BYTES = 200 * 1024 * 1024;

function spawnNode(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE_DIR && args[0] === 'server/main.ts'
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
        : []),
      '--import',
      'tsx',
      ...args,
    ],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

async function download(
  port: number,
  path: string,
  serverPid: number,
): Promise<{ mbps: number; bytes: number; rssBeforeMiB: number; rssPeakMiB: number }> {
  const before = await rssKiB(serverPid);
  let peak = before;
  const sampler = setInterval(() => void rssKiB(serverPid).then((kib) => (peak = Math.max(peak, kib))), 25);
  const start = performance.now();
  const bytes = await new Promise<number>((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let total = 0;
      res.on('data', (chunk: Buffer) => (total += chunk.length));
      res.on('end', () => done(total));
    });
    req.on('error', fail);
    req.end();
  });
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, await rssKiB(serverPid));
  return { mbps: bytes / 1024 / 1024 / seconds, bytes, rssBeforeMiB: before / 1024, rssPeakMiB: peak / 1024 };
}

async function upload(port: number, path: string, token: string, file: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/octet-stream',
          'content-length': ARTIFACT_BYTES,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', fail);
    createReadStream(file).pipe(req);
  });
}

const fmt = (n: number, digits = 2): string => n.toFixed(digits);

interface Targets {
  direct: LoadTarget;
  nginx: LoadTarget;
  furnace: LoadTarget;
}

const ORDER = ['direct', 'nginx', 'furnace'] as const;

/** ROUNDS rounds of SECONDS against each target; each round starts with the next target (rotated). */
async function measure(targets: Targets, concurrency: number): Promise<Record<keyof Targets, LoadSummary>> {
  const runs: Record<keyof Targets, LoadRun[]> = { direct: [], nginx: [], furnace: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < ORDER.length; k++) {
      const name = ORDER[(round + k) % ORDER.length] ?? 'direct';
      runs[name].push(await runLoad(targets[name], concurrency, SECONDS));
    }
  }
  return { direct: summarize(runs.direct), nginx: summarize(runs.nginx), furnace: summarize(runs.furnace) };
}

const loadNow = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function report(concurrency: number, result: Record<keyof Targets, LoadSummary>): void {
  const line = (name: string, s: LoadSummary, cpu: string): void =>
    console.log(
      `  ${name.padEnd(8)}: ${fmt(s.rps, 0)} req/s (rounds ${s.roundsRps.map((r) => fmt(r, 0)).join(' / ')})  p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  errors ${s.errors}  ${cpu}`,
    );
  const { direct: d, nginx: n, furnace: f } = result;
  const cpu = (s: LoadSummary, proxy: string): string =>
    `CPU per request: sidecar ${fmt(s.cpuPerRequestUs[0] ?? 0, 0)} µs${proxy ? `, ${proxy} ${fmt(s.cpuPerRequestUs[1] ?? 0, 0)} µs` : ''}`;
  console.log(
    `load: GET a recording list over ${concurrency} keep-alive connection(s), ${ROUNDS} rounds × ${SECONDS} s each`,
  );
  line('direct', d, cpu(d, ''));
  line('nginx', n, cpu(n, 'nginx'));
  line('Furnace', f, cpu(f, 'server'));
  const target = concurrency >= 16 ? ' (target ≤ 2 ms)' : '';
  console.log(
    `  Furnace/nginx ${fmt(f.rps / n.rps)} (target ≥ 0.6); nginx/direct ${fmt(n.rps / d.rps)}; Furnace/direct ${fmt(f.rps / d.rps)}`,
  );
  console.log(
    `  added p99 over direct: nginx ${fmt(n.p99 - d.p99)} ms, Furnace ${fmt(f.p99 - d.p99)} ms${target}`,
  );
}

interface DownloadSetup {
  port: number;
  recorderPort: number;
  pod: string;
  serverPid: number;
  uploadToken: string;
  artifact: string;
}

/** A 200 MB artifact through the proxy, then uploaded into the catalog and downloaded from it. */
async function measureDownloads({
  port,
  recorderPort,
  pod,
  serverPid,
  uploadToken,
  artifact,
}: DownloadSetup): Promise<void> {
  const agent = new Agent();
  const viaProxy = await download(port, `/proxy/local/${pod}/recordings/x/artifacts/perf.data`, serverPid);
  console.log(
    `200 MB through the proxy: ${fmt(viaProxy.mbps, 0)} MiB/s; server RSS ${fmt(viaProxy.rssBeforeMiB, 0)} → peak ${fmt(viaProxy.rssPeakMiB, 0)} MiB (growth ${fmt(viaProxy.rssPeakMiB - viaProxy.rssBeforeMiB, 0)} MiB, target ≤ 50)`,
  );

  const meta = finishedRecordingStatus('bench-1', {
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    artifacts: ['perf.data'],
  });
  // Uploads are the recorder listener's (sidecars never reach the user listener).
  await call(
    agent,
    recorderPort,
    'PUT',
    '/api/v1/recordings/bench-1',
    { authorization: `Bearer ${uploadToken}`, 'content-type': 'application/json' },
    JSON.stringify(meta),
  );
  const uploadStart = performance.now();
  const uploaded = await upload(
    recorderPort,
    '/api/v1/recordings/bench-1/artifacts/perf.data',
    uploadToken,
    artifact,
  );
  const uploadMbps = ARTIFACT_BYTES / 1024 / 1024 / ((performance.now() - uploadStart) / 1000);
  console.log(`200 MB upload into the catalog: status ${uploaded}, ${fmt(uploadMbps, 0)} MiB/s`);
  const fromCatalog = await download(port, '/api/v1/recordings/bench-1/artifacts/perf.data', serverPid);
  console.log(
    `200 MB from the catalog: ${fmt(fromCatalog.mbps, 0)} MiB/s; server RSS ${fmt(fromCatalog.rssBeforeMiB, 0)} → peak ${fmt(fromCatalog.rssPeakMiB, 0)} MiB (growth ${fmt(fromCatalog.rssPeakMiB - fromCatalog.rssBeforeMiB, 0)} MiB)`,
  );
  if (viaProxy.bytes !== ARTIFACT_BYTES || fromCatalog.bytes !== ARTIFACT_BYTES)
    throw new Error('a download came back short');
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
  const handle = await open(artifact, 'w');
  const block = Buffer.alloc(1024 * 1024, 7);
  for (let i = 0; i < ARTIFACT_BYTES / block.length; i++) await handle.write(block);
  await handle.close();
  const children: ChildProcess[] = [];
  try {
    const sidecar = spawnNode(['test/bench/proxy-stand-in-sidecar.ts'], { BENCH_ARTIFACT: artifact });
    children.push(sidecar);
    const [line] = (await once(sidecar.stdout!, 'data')) as [Buffer];
    const sidecarPort = Number(line.toString().trim());
    const [port, recorderPort, nginxPort] = [await freePort(), await freePort(), await freePort()];
    await writeFile(
      join(dir, 'config.yaml'),
      `localSidecar: false\nregistrationSecret: bench\nlogLevel: warn\ndataDir: ${dir}/data\nleaseSeconds: 3600\n`,
    );
    const server = spawnNode(['server/main.ts', '--local'], {
      FURNACE_CONFIG: join(dir, 'config.yaml'),
      FURNACE_PORT: String(port),
      FURNACE_RECORDER_PORT: String(recorderPort),
    });
    children.push(server);
    await waitHttp(recorderPort, '/healthz');
    const agent = new Agent();
    const registered = await call(
      agent,
      recorderPort,
      'POST',
      '/api/v1/sidecars',
      { authorization: 'Bearer bench', 'content-type': 'application/json' },
      JSON.stringify({ port: sidecarPort }),
    );
    const { proxyToken, uploadToken } = JSON.parse(registered.text) as {
      proxyToken: string;
      uploadToken: string;
    };
    const pod = hostname();
    const nginx = await startNginx({
      binary: nginxBinary.binary,
      dir: join(dir, 'nginx'),
      listenPort: nginxPort,
      upstreamPort: sidecarPort,
      prefix: `/proxy/local/${pod}`,
      authorization: `Bearer ${proxyToken}`,
      workers: NGINX_WORKERS,
    });
    children.push(nginx);
    await waitHttp(nginxPort, `/proxy/local/${pod}/recordings`);

    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 1024 ** 3, 1)} GiB, Linux ${release()}, node ${process.version}, nginx ${nginxBinary.version} (${NGINX_WORKERS} worker process${NGINX_WORKERS === 1 ? '' : 'es'}, upstream keepalive 32, HTTP/1.1)`,
    );
    console.log(`start ${new Date().toISOString()}, load average ${loadNow()}`);
    const sidecarPid = sidecar.pid ?? 0;
    const serverPid = server.pid ?? 0;
    const nginxPid = nginx.pid ?? 0;
    const targets: Targets = {
      direct: {
        port: sidecarPort,
        path: '/recordings',
        headers: { authorization: `Bearer ${proxyToken}` },
        watched: () => Promise.resolve([[sidecarPid]]),
      },
      nginx: {
        port: nginxPort,
        path: `/proxy/local/${pod}/recordings`,
        headers: {},
        watched: async () => [[sidecarPid], await nginxPids(nginxPid)],
      },
      furnace: {
        port,
        path: `/proxy/local/${pod}/recordings`,
        headers: {},
        watched: () => Promise.resolve([[sidecarPid], [serverPid]]),
      },
    };
    for (const name of ORDER) await runLoad(targets[name], CONCURRENCY, 1); // warm-up
    for (const concurrency of [1, CONCURRENCY]) report(concurrency, await measure(targets, concurrency));
    console.log(`end ${new Date().toISOString()}, load average ${loadNow()}`);
    if (process.env.BENCH_SKIP_DOWNLOADS) return;

    await measureDownloads({ port, recorderPort, pod, serverPid, uploadToken, artifact });
  } finally {
    for (const child of children.reverse()) await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
