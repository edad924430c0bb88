// npm run bench:registry — 5,000 simulated sidecars renewing every 15 s against a server (a real
// process in cluster mode, the bundle the image runs; BENCH_SERVER_ENTRY=dist for the compiled dist/) whose TokenReview and Pod
// reads go to the real API server of the test harness. The server runs in a cgroup v1 memory group at
// the Deployment's limit (operator/furnace/plan-server.ts), as in its pod. Reports the server's RSS, the
// group's peak and OOM kills, its CPU and the registration p50/p99, first registrations and renewals
// apart; then the same renewal load against a bare Fastify HTTPS server answering every registration
// with a constant (the baseline), and the ratios. Bounded: set-up, three 15-second rounds for Furnace,
// two for the baseline.
// `npm run bench:registry -- --replicas 2`: N replicas sharing registrations (registry-replicas.ts).
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_RESOURCES } from '../../operator/furnace/plan-server.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import type { ChildProcess } from '../harness/child-processes.ts';
import { createNamespace, deleteRunObjects } from '../harness/cluster.ts';
import { writeCertificateFiles } from '../harness/certificate-files.ts';
import { getControlPlane } from '../harness/control-plane.ts';
import { freePort } from '../harness/ports.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { quantityBytes, spawnWithMemoryLimit } from '../harness/memory-limit.ts';
import { percentile } from '../harness/stats.ts';
import {
  createSidecarPods,
  failureSamples,
  processStats,
  RENEW_SECONDS,
  round,
  serverEntry,
  serverImageEnv,
  serverNodeArgs,
  SIDECARS,
  startBaseline,
  waitListening,
  type Target,
} from './registry-load.ts';

const ROUNDS = 3;

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
  target: Target,
  tokens: string[],
  rounds: number,
): Promise<Measured> {
  process.once('exit', () => server.kill('SIGKILL'));
  await waitListening(target);
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
    const result = await round(tokens, () => target);
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
  target.agent.destroy();
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  console.log(`${label} peak RSS ${peakRss.toFixed(0)} MiB`);
  return { startRss: start.rssMiB, peakRss, renewalP99, renewalCpu };
}

const keepAlive = (): Agent => new Agent({ keepAlive: true, maxSockets: 64 });

async function main(): Promise<void> {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bench-registry-'));
  try {
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, node ${process.version}`,
    );
    const entry = await serverEntry();
    const namespace = await createNamespace(kc, { enabled: true });
    const setupStart = performance.now();
    const tokens = await createSidecarPods(kc, namespace);
    console.log(
      `set-up: ${SIDECARS} pods with a furnace container and pod-bound tokens in ${((performance.now() - setupStart) / 1000).toFixed(0)} s`,
    );

    const certs = await generateDevCertificates();
    const files = await writeCertificateFiles(dir, certs);
    // Sidecars register on the recorder listener; `port` is that one.
    const [userPort, port] = [await freePort(), await freePort()];
    await writeFile(
      join(dir, 'config.yaml'),
      `host: 127.0.0.1\nport: ${userPort}\nrecorder:\n  host: 127.0.0.1\n  port: ${port}\ndataDir: ${dir}/data\nlogLevel: warn\ntls:\n  certFile: ${files.certFile}\n  keyFile: ${files.keyFile}\nwebhook:\n  enabled: false\n`,
    );
    const nodeArgs = await serverNodeArgs();
    // Under the Deployment's memory limit, as in a pod: Node sizes its young generation from it.
    const limit = SERVER_RESOURCES.limits.memory;
    const limited = spawnWithMemoryLimit(quantityBytes(limit), process.execPath, [...nodeArgs, entry], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...serverImageEnv(),
        FURNACE_CONFIG: join(dir, 'config.yaml'),
        KUBECONFIG: cp.kubeconfigPath,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const ours = await measure(
      `furnace (${[...nodeArgs, entry].join(' ')}; memory limit ${limit})`,
      limited.child,
      { agent: keepAlive(), port, ca: certs.caPem },
      tokens,
      ROUNDS,
    );
    console.log(
      `furnace's memory group (limit ${limit}, the Deployment's): peak ${(
        limited.group.peakBytes() /
        1024 ** 2
      ).toFixed(0)} MiB with page cache, OOM kills ${limited.group.oomKills()}`,
    );
    limited.group.remove();
    for (const [failure, count] of failureSamples) console.log(`failed ${count}×: ${failure}`);

    const baselinePort = await freePort();
    const bare = await measure(
      'baseline (bare Fastify HTTPS, constant answer)',
      startBaseline(files, baselinePort),
      { agent: keepAlive(), port: baselinePort, ca: certs.caPem },
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

const replicasAt = process.argv.indexOf('--replicas');
if (replicasAt >= 0) {
  const { benchReplicas } = await import('./registry-replicas.ts');
  await benchReplicas(Number(process.argv[replicasAt + 1] ?? 2));
} else await main();
process.exit(0);
