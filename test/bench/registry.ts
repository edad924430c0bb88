// npm run bench:registry — 5,000 simulated sidecars renewing every 15 s against a server (a real
// process in cluster mode, compiled to JavaScript as the image runs it) whose TokenReview and Pod
// reads go to the real API server of the test harness. Reports the server's RSS and CPU and the
// registration p50/p99, first registrations and renewals apart; then the same renewal load against
// a bare Fastify HTTPS server answering every registration with a constant (the baseline), and the
// ratios. Bounded: set-up, three 15-second rounds for Furnace, two for the baseline.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import { createNamespace, createServiceAccountToken, deleteRunObjects, RUN_ID } from '../harness/cluster.ts';
import { writeCertificateFiles } from '../harness/certificate-files.ts';
import { getControlPlane } from '../harness/control-plane.ts';
import { freePort } from '../harness/ports.ts';
import { cpuMs, rssKiB } from '../harness/process-usage.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { percentile } from '../harness/stats.ts';
import { buildDist } from '../process/server-processes.ts';

const SIDECARS = Number(process.env.BENCH_SIDECARS ?? 5000);
const RENEW_SECONDS = 15;
const ROUNDS = 3;
const failureSamples = new Map<string, number>();

async function inBatches<T>(count: number, parallel: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}

async function createSidecarPods(kc: KubeConfig, namespace: string): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  return inBatches(SIDECARS, 16, async (i) => {
    const name = `sc-${i}`;
    const pod = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { [TEST_RUN_LABEL]: RUN_ID } },
        spec: {
          containers: [
            { name: 'app', image: 'registry.invalid/app:1' },
            { name: 'furnace', image: 'registry.invalid/furnace:1' },
          ],
        },
      },
    });
    const ip = `10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
    pod.status = { ...pod.status, podIP: ip, podIPs: [{ ip }], phase: 'Running' };
    await core.replaceNamespacedPodStatus({ namespace, name, body: pod });
    return createServiceAccountToken(kc, {
      namespace,
      serviceAccount: 'default',
      audiences: ['furnace'],
      boundPod: { name, uid: pod.metadata?.uid ?? '' },
    });
  });
}

function register(
  agent: Agent,
  port: number,
  ca: string,
  token: string,
): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  return new Promise((done) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/sidecars',
        agent,
        ca,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => {
          if (res.statusCode !== 200 && token !== 'not-a-token') {
            const key = `${res.statusCode} ${body.slice(0, 160)}`;
            failureSamples.set(key, (failureSamples.get(key) ?? 0) + 1);
          }
          done({ status: res.statusCode ?? 0, ms: performance.now() - start });
        });
      },
    );
    req.on('error', () => done({ status: 0, ms: performance.now() - start }));
    req.end('{}');
  });
}

async function processStats(pid: number): Promise<{ rssMiB: number; cpuMs: number }> {
  return { rssMiB: (await rssKiB(pid)) / 1024, cpuMs: await cpuMs(pid) };
}

/** One round: every sidecar registers once, spread evenly over RENEW_SECONDS, as renewals are. */
async function round(
  agent: Agent,
  port: number,
  ca: string,
  tokens: string[],
): Promise<{ ms: number[]; failures: number }> {
  const spacing = (RENEW_SECONDS * 1000) / tokens.length;
  const start = performance.now();
  const calls = tokens.map(async (token, i) => {
    const wait = start + i * spacing - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return register(agent, port, ca, token);
  });
  const results = await Promise.all(calls);
  const rest = start + RENEW_SECONDS * 1000 - performance.now();
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  return { ms: results.map((r) => r.ms), failures: results.filter((r) => r.status !== 200).length };
}

// The baseline: what any HTTPS registration endpoint in Node costs, with no registry behind it.
const BASELINE_SERVER = `
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
const app = Fastify({ https: { key: readFileSync(process.env.KEY), cert: readFileSync(process.env.CERT) } });
app.post('/api/v1/sidecars', async () => ({ leaseSeconds: 30, proxyToken: 'baseline', uploadToken: 'baseline' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
`;

interface Measured {
  startRss: number;
  peakRss: number;
  renewalP99: number;
  renewalCpu: number;
}

/** Runs the rounds against a started server process and prints each; the first round is cold. */
async function measure(
  label: string,
  server: ChildProcess,
  port: number,
  ca: string,
  tokens: string[],
  rounds: number,
): Promise<Measured> {
  process.once('exit', () => server.kill('SIGKILL'));
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  for (let i = 0; i < 100; i++) {
    const probe = await register(agent, port, ca, 'not-a-token');
    if (probe.status !== 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = server.pid ?? 0;
  const start = await processStats(pid);
  console.log(`${label} at start: RSS ${start.rssMiB.toFixed(0)} MiB`);
  let peakRss = start.rssMiB;
  const sampler = setInterval(
    () => void processStats(pid).then((s) => (peakRss = Math.max(peakRss, s.rssMiB))),
    250,
  );
  let renewalP99 = 0;
  let renewalCpu = 0;
  for (let r = 1; r <= rounds; r++) {
    const before = await processStats(pid);
    const result = await round(agent, port, ca, tokens);
    const after = await processStats(pid);
    const cpuPercent = ((after.cpuMs - before.cpuMs) / (RENEW_SECONDS * 1000)) * 100;
    const kind = r === 1 ? 'first registrations' : 'renewals';
    const sorted = [...result.ms].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    if (r > 1) {
      renewalP99 = Math.max(renewalP99, p99);
      renewalCpu = Math.max(renewalCpu, cpuPercent);
    }
    console.log(
      `${label} round ${r}, ${kind}: ${tokens.length} calls in ${RENEW_SECONDS} s (${(tokens.length / RENEW_SECONDS).toFixed(0)}/s), p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, failures ${result.failures}; CPU ${cpuPercent.toFixed(0)}% of one core, RSS ${after.rssMiB.toFixed(0)} MiB`,
    );
  }
  clearInterval(sampler);
  agent.destroy();
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  console.log(`${label} peak RSS ${peakRss.toFixed(0)} MiB`);
  return { startRss: start.rssMiB, peakRss, renewalP99, renewalCpu };
}

/** NODE_OPTIONS as Dockerfile.server sets it for the server image. */
async function imageNodeOptions(): Promise<string> {
  const dockerfile = await readFile(join(PROJECT_ROOT, 'Dockerfile.server'), 'utf8');
  return /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? '';
}

async function main(): Promise<void> {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bench-registry-'));
  try {
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, node ${process.version}`,
    );
    buildDist();
    const namespace = await createNamespace(kc, { enabled: true });
    const setupStart = performance.now();
    const tokens = await createSidecarPods(kc, namespace);
    console.log(
      `set-up: ${SIDECARS} pods with a furnace container and pod-bound tokens in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`,
    );

    const certs = await generateDevCertificates();
    const { certFile, keyFile } = await writeCertificateFiles(dir, certs);
    // Sidecars register on the recorder listener; `port` is that one.
    const [userPort, port] = [await freePort(), await freePort()];
    await writeFile(
      join(dir, 'config.yaml'),
      `host: 127.0.0.1\nport: ${userPort}\nrecorder:\n  host: 127.0.0.1\n  port: ${port}\ndataDir: ${dir}/data\nlogLevel: warn\ntls:\n  certFile: ${certFile}\n  keyFile: ${keyFile}\nwebhook:\n  enabled: false\n`,
    );
    // The server runs with the node flags its image sets (NODE_OPTIONS in Dockerfile.server), or with
    // BENCH_SERVER_NODE_ARGS to compare others ('' for none).
    const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? (await imageNodeOptions()))
      .split(' ')
      .filter(Boolean);
    const furnace = spawn(process.execPath, [...nodeArgs, 'dist/server/main.js'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FURNACE_CONFIG: join(dir, 'config.yaml'), KUBECONFIG: cp.kubeconfigPath },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const ours = await measure(
      `furnace (dist/${nodeArgs.length > 0 ? ` ${nodeArgs.join(' ')}` : ''})`,
      furnace,
      port,
      certs.caPem,
      tokens,
      ROUNDS,
    );
    for (const [failure, count] of failureSamples) console.log(`failed ${count}×: ${failure}`);

    const baselinePort = await freePort();
    const baseline = spawn(process.execPath, ['--input-type=module', '-e', BASELINE_SERVER], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        KEY: keyFile,
        CERT: certFile,
        PORT: String(baselinePort),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const bare = await measure(
      'baseline (bare Fastify HTTPS, constant answer)',
      baseline,
      baselinePort,
      certs.caPem,
      tokens,
      2,
    );
    console.log(
      `renewal p99: furnace ${ours.renewalP99.toFixed(2)} ms vs baseline ${bare.renewalP99.toFixed(2)} ms (ratio ${(ours.renewalP99 / bare.renewalP99).toFixed(2)}; target ≤ 20 ms)`,
    );
    console.log(
      `renewal CPU: furnace ${ours.renewalCpu.toFixed(0)}% vs baseline ${bare.renewalCpu.toFixed(0)}% of one core`,
    );
    console.log(
      `RSS: furnace start ${ours.startRss.toFixed(0)} MiB, peak ${ours.peakRss.toFixed(0)} MiB vs baseline peak ${bare.peakRss.toFixed(0)} MiB (ratio ${(ours.peakRss / bare.peakRss).toFixed(2)}; target ≤ 200 MB)`,
    );
  } finally {
    await deleteRunObjects(kc);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
