// npm run bench:proxy — requests per second and p99 latency through the server's proxy against the
// same requests straight to a sidecar, in one run; then a 200 MB artifact through the proxy and from
// the catalog, with the server's peak RSS during each download. Bounded: about a minute in all.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, hostname, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/ports.ts';
import { cpuMs, rssKiB } from '../harness/process-usage.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { percentile } from '../harness/stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
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

function call(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function waitHttp(port: number, path: string): Promise<void> {
  const agent = new Agent();
  for (let i = 0; i < 200; i++) {
    try {
      if ((await call(agent, port, 'GET', path)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered on port ${port}`);
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of each watched process per request, µs. */
  cpuPerRequestUs: number[];
}

async function load(
  port: number,
  path: string,
  headers: Record<string, string>,
  concurrency: number,
  watched: number[],
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const cpuBefore = await Promise.all(watched.map(cpuMs));
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now();
      const response = await call(agent, port, 'GET', path, headers).catch(() => ({ status: 0, text: '' }));
      if (response.status !== 200) errors += 1;
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpuAfter = await Promise.all(watched.map(cpuMs));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / SECONDS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    cpuPerRequestUs: watched.map(
      (_, i) => (((cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0)) * 1000) / Math.max(1, latencies.length),
    ),
  };
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

async function main(): Promise<void> {
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
    const [port, recorderPort] = [await freePort(), await freePort()];
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

    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 1024 ** 3, 1)} GiB, node ${process.version}`,
    );
    const sidecarPid = sidecar.pid ?? 0;
    const serverPid = server.pid ?? 0;
    const direct = (c: number) =>
      load(sidecarPort, '/recordings', { authorization: `Bearer ${proxyToken}` }, c, [sidecarPid, serverPid]);
    const proxied = (c: number) =>
      load(port, `/proxy/local/${pod}/recordings`, {}, c, [sidecarPid, serverPid]);
    await direct(CONCURRENCY); // warm-up
    await proxied(CONCURRENCY);
    for (const concurrency of [1, CONCURRENCY]) {
      console.log(
        `load: GET a recording list over ${concurrency} keep-alive connection(s), ${SECONDS} s each`,
      );
      const d = await direct(concurrency);
      const p = await proxied(concurrency);
      console.log(
        `  direct : ${fmt(d.rps, 0)} req/s  p50 ${fmt(d.p50)} ms  p99 ${fmt(d.p99)} ms  errors ${d.errors}  sidecar CPU ${fmt(d.cpuPerRequestUs[0] ?? 0, 0)} µs/req`,
      );
      console.log(
        `  proxied: ${fmt(p.rps, 0)} req/s  p50 ${fmt(p.p50)} ms  p99 ${fmt(p.p99)} ms  errors ${p.errors}  sidecar CPU ${fmt(p.cpuPerRequestUs[0] ?? 0, 0)} µs/req, server CPU ${fmt(p.cpuPerRequestUs[1] ?? 0, 0)} µs/req`,
      );
      console.log(
        `  ratio ${fmt(p.rps / d.rps)} (target ≥ 0.7); added p99 ${fmt(p.p99 - d.p99)} ms (target ≤ 2 ms)`,
      );
    }

    const viaProxy = await download(
      port,
      `/proxy/local/${pod}/recordings/x/artifacts/perf.data`,
      server.pid ?? 0,
    );
    console.log(
      `200 MB through the proxy: ${fmt(viaProxy.mbps, 0)} MiB/s; server RSS ${fmt(viaProxy.rssBeforeMiB, 0)} → peak ${fmt(viaProxy.rssPeakMiB, 0)} MiB (growth ${fmt(viaProxy.rssPeakMiB - viaProxy.rssBeforeMiB, 0)} MiB, target ≤ 50)`,
    );

    const meta = finishedRecordingStatus('bench-1', {
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      artifacts: ['perf.data'],
    });
    await call(
      agent,
      port,
      'PUT',
      '/api/v1/recordings/bench-1',
      { authorization: `Bearer ${uploadToken}`, 'content-type': 'application/json' },
      JSON.stringify(meta),
    );
    const uploadStart = performance.now();
    const uploaded = await upload(
      port,
      '/api/v1/recordings/bench-1/artifacts/perf.data',
      uploadToken,
      artifact,
    );
    const uploadMbps = ARTIFACT_BYTES / 1024 / 1024 / ((performance.now() - uploadStart) / 1000);
    console.log(`200 MB upload into the catalog: status ${uploaded}, ${fmt(uploadMbps, 0)} MiB/s`);
    const fromCatalog = await download(
      port,
      '/api/v1/recordings/bench-1/artifacts/perf.data',
      server.pid ?? 0,
    );
    console.log(
      `200 MB from the catalog: ${fmt(fromCatalog.mbps, 0)} MiB/s; server RSS ${fmt(fromCatalog.rssBeforeMiB, 0)} → peak ${fmt(fromCatalog.rssPeakMiB, 0)} MiB (growth ${fmt(fromCatalog.rssPeakMiB - fromCatalog.rssBeforeMiB, 0)} MiB)`,
    );
    if (viaProxy.bytes !== ARTIFACT_BYTES || fromCatalog.bytes !== ARTIFACT_BYTES)
      throw new Error('a download came back short');
  } finally {
    for (const child of children.reverse()) await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
