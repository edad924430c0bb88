// The Furnace side of bench:admission: the real server (as the image runs it, cluster mode) with its webhook listener
// on loopback (admission-anchor.ts registers it beside the anchor), run as its pod runs it: the image's entry
// point and node flags, under the Deployment's memory limit (Node sizes its young generation, and so its pauses, from it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_RESOURCES } from '../../operator/furnace/plan-server.ts';
import type { DevCertificates } from '../../server/webhook/dev-certificates.ts';
import { writeClusterServerConfig } from '../harness/cluster-server-config.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { quantityBytes, spawnWithMemoryLimit } from '../harness/memory-limit.ts';
import { stopPid } from '../harness/processes.ts';
import { identifySpawned } from '../harness/process-identity.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { collectServerLines, type ServerLines } from './admission-observers.ts';
import type { BenchContext } from './bench-kit.ts';
import { serverEntry, serverNodeArgs } from './registry-load.ts';

const PROBE = join(PROJECT_ROOT, 'test', 'bench', 'admission-probe.ts');

/** The real server in cluster mode with its webhook listener on loopback; resolves once it is healthy. */
export async function startServer(
  bench: BenchContext,
  kubeconfigPath: string,
): Promise<{
  pid: number;
  webhookPort: number;
  certs: DevCertificates;
  dir: string;
  lines: ServerLines;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-bench-admission-'));
  bench.t.after(() => rm(dir, { recursive: true, force: true }));
  const { configFile, webhookPort, certs } = await writeClusterServerConfig(dir);
  // Dockerfile.server's NODE_OPTIONS; BENCH_SERVER_NODE_ARGS replaces them (a CPU profile: --cpu-prof
  // --cpu-prof-dir=DIR).
  // The probe (garbage collections, the main thread's CPU per webhook call) unless BENCH_PROBE=0.
  const probe = process.env.BENCH_PROBE === '0' ? [] : ['--import', PROBE];
  const nodeArgs = [...(await serverNodeArgs()), ...probe];
  const entry = await serverEntry();
  const limit = SERVER_RESOURCES.limits.memory;
  const { child: server, group } = spawnWithMemoryLimit(
    quantityBytes(limit),
    process.execPath,
    [...nodeArgs, entry],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FURNACE_CONFIG: configFile, KUBECONFIG: kubeconfigPath },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const identity = identifySpawned(server.pid, entry);
  const pid = identity.pid;
  console.log(`furnace server: node ${nodeArgs.join(' ')} ${entry}, memory limit ${limit}`);
  // A generous grace: with --cpu-prof the profile is written as the server exits after closing its listeners.
  bench.t.after(async () => {
    await stopPid(identity, 20_000);
    console.log(`furnace server's memory group: OOM kills ${group.oomKills()}`);
    group.remove();
  });
  if (!server.stdout) throw new Error('no stdout from the Furnace server');
  const lines = collectServerLines(server.stdout);
  let exited = false;
  server.once('exit', () => (exited = true));
  await eventually(
    async () => {
      if (exited) throw new Error('the Furnace server exited');
      const health = await httpsCall(`https://127.0.0.1:${webhookPort}/healthz`, certs.caPem);
      return health.status === 200 ? true : undefined;
    },
    60_000,
    'the webhook listener of the Furnace server',
  );
  return { pid, webhookPort, certs, dir, lines };
}
