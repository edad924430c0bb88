// kill -9 of the node agent (agent mode, a real API server, TokenReview, RBAC, the agent as a process of
// this host recording a simulated pod by its cgroups, real perf): while it records, while it uploads, while
// it holds a finished recording that the server, killed too, never took; and the server and the agent
// killed together. After each restart every recording is in the catalog, done with its graph, each file
// as many bytes as the agent wrote, or failed with the reason; none vanishes. The server reads the shared
// key file that the operator gives it (one replica too), so its upload grants outlive its restart. Once
// perf has recorded, the agent is slowed with a CPU quota so its upload can be caught; the counts are
// printed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { API_GROUP } from '../../core/contract/names.ts';
import type { CatalogEntry, RecordingStatus } from '../../core/contract/recording.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { startClusterServer, type ClusterServer } from '../harness/cluster-server.ts';
import { cpuThrottle, type CpuThrottle } from '../harness/cpu-throttle.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { bearerCall as call } from '../harness/http.ts';
import { startNodeAgent, type NodeAgent } from '../harness/node-agent.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { freePort } from '../harness/ports.ts';
import type { RunningProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

const { kc, cp } = await useCluster();

/** What gets killed, and when: the journal stage the recording must have reached first. */
interface KillPoint {
  name: string;
  stage: 'recording' | 'upload' | 'done';
  afterMs?: number;
  server: boolean;
  agent: boolean;
}

const KILL_POINTS: readonly KillPoint[] = [
  // Half way through its 4 s, once perf has begun its perf.data (before that, nothing can be finished).
  { name: 'agent while recording', stage: 'recording', afterMs: 2000, server: false, agent: true },
  { name: 'agent while uploading', stage: 'upload', server: false, agent: true },
  { name: 'server and agent while uploading', stage: 'upload', server: true, agent: true },
  // The server goes first; the agent finishes alone, keeps it on disk, and is killed before the server is back.
  { name: 'server, then agent holding it', stage: 'done', server: true, agent: true },
];

interface Run {
  cluster: ClusterServer;
  server: RunningProcess;
  agent: NodeAgent;
  agentProcess: RunningProcess;
  throttle: CpuThrottle;
  ca: string;
  token: string;
  namespace: string;
  podUid: string;
}

/** The recording's journal on the agent's disk: its stage (or state) and whether the catalog took it. */
async function journalOf(run: Run, id: string): Promise<{ stage: string; upload: string } | undefined> {
  const file = join(run.agent.dataDir, 'pods', run.podUid, 'recordings', id, 'recording.json');
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text === '') return undefined;
  try {
    const { status, upload } = JSON.parse(text) as { status: RecordingStatus; upload: string };
    const stage = status.state === 'processing' ? (status.stage ?? status.state) : status.state;
    return { stage, upload };
  } catch {
    return undefined; // caught mid-rename
  }
}

/** Whether the journal shows the kill point: its stage, or for `done` a finished one the catalog never took. */
function reached(point: KillPoint, seen: { stage: string; upload: string } | undefined): boolean {
  if (point.stage === 'done') return seen?.stage === 'done' && seen.upload === 'pending';
  if (seen?.stage === 'done' || seen?.stage === 'failed')
    throw new Error(`the recording was ${seen.stage} before ${point.stage}`);
  return seen?.stage === point.stage;
}

/** Whether perf has written its perf.data header (the file is created before the data). */
async function perfStarted(run: Run, id: string): Promise<boolean> {
  const file = join(run.agent.dataDir, 'pods', run.podUid, 'recordings', id, 'perf.data');
  return ((await stat(file).catch(() => undefined))?.size ?? 0) > 0;
}

async function waitForJournal(run: Run, id: string, point: KillPoint): Promise<string> {
  await sleep(point.afterMs ?? 0);
  const until = Date.now() + 180_000;
  let last: { stage: string; upload: string } | undefined;
  while (Date.now() < until) {
    last = (await journalOf(run, id)) ?? last;
    if (reached(point, last) && (point.stage !== 'recording' || (await perfStarted(run, id))))
      return last?.stage ?? '';
    await sleep(5);
  }
  throw new Error(`recording ${id} did not reach ${point.stage} (last seen ${JSON.stringify(last)})`);
}

/**
 * Puts the agent under the CPU quota once perf record has ended (perf, already started, keeps full speed
 * and its samples; what the agent runs from then on is slowed, so its upload can be caught).
 */
async function throttleOnceRecorded(run: Run, id: string): Promise<void> {
  await eventually(
    async () => {
      const stage = (await journalOf(run, id))?.stage;
      return stage !== undefined && stage !== 'recording' ? true : undefined;
    },
    120_000,
    `recording ${id} to end its record stage`,
    5,
  );
  await run.throttle.add(run.agentProcess.pid);
}

async function killAgent(run: Run): Promise<void> {
  run.agentProcess.child.kill('SIGKILL');
  await run.agentProcess.exited;
}

function restartAgent(run: Run): void {
  run.agentProcess = run.agent.restart();
}

async function registered(run: Run, base: string): Promise<void> {
  await eventually(
    async () => {
      const list = await call(`${base}/api/v1/sidecars`, run.ca, run.token);
      return list.status === 200 && list.body.includes('"hot"') ? true : undefined;
    },
    90_000,
    `the agent to register (agent output: ${run.agentProcess.output().slice(-2000)})`,
  );
}

/** The catalog's entry once it is done with its graph, or failed. */
async function inCatalog(run: Run, id: string): Promise<CatalogEntry> {
  return eventually(
    async () => {
      const answer = await call(`${run.cluster.base}/api/v1/recordings/${id}`, run.ca, run.token);
      if (answer.status !== 200) return undefined;
      const entry = JSON.parse(answer.body) as CatalogEntry;
      const names = entry.artifacts.map((a) => a.name);
      if (entry.state === 'failed') return entry;
      return entry.state === 'done' && names.includes('flamegraph.svg') ? entry : undefined;
    },
    240_000,
    `recording ${id} in the catalog (agent output: ${run.agentProcess.output().slice(-2000)})`,
    500,
  );
}

/** Every file the catalog lists has the bytes the agent wrote. */
async function assertSameBytes(run: Run, entry: CatalogEntry): Promise<number> {
  const dir = join(run.agent.dataDir, 'pods', run.podUid, 'recordings', entry.id);
  let total = 0;
  for (const artifact of entry.artifacts) {
    const written = (await stat(join(dir, artifact.name))).size;
    assert.equal(artifact.bytes, written, `${entry.id} ${artifact.name}: catalog bytes = agent's file`);
    total += written;
  }
  return total;
}

async function setUp(t: TestContext): Promise<Run> {
  const dir = await workDir(t, 'fault-agent');
  const keyFile = join(dir, 'shared-key');
  await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const agentNamespace = await createNamespace(kc, { prefix: 'furnace' });
  const agentPort = await freePort();
  const cluster = await startClusterServer(t, dir, {
    kubeconfigPath: cp.kubeconfigPath,
    extra: {
      webhook: { enabled: false },
      agent: { enabled: true, namespace: agentNamespace, serviceAccount: 'furnace-agent', port: agentPort },
      security: { sharedKeyFile: keyFile },
    },
  });
  const ca = cluster.certs.caPem;
  const agent = await startNodeAgent(t, kc, {
    namespace: agentNamespace,
    serverUrl: cluster.recorderUrl,
    serverCa: ca,
    port: agentPort,
    dir,
  });
  const namespace = await createNamespace(kc, { enabled: true });
  const program = await buildHotProgram(dir);
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'hot' },
      spec: { containers: [{ name: 'app', image: 'registry.example/hot:1' }] },
    },
  });
  const pod = await simulatePod(kc, namespace, 'hot', {
    commands: { app: [program, '900', String(SAMPLED_BUSY_PERCENT)] },
  });
  t.after(() => pod.stop());
  const rules = [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get', 'list'] }];
  const user = await createUser(kc, { name: 'profiler', namespace, rules });
  const throttle = await cpuThrottle(t, 4);
  const run: Run = {
    ...{
      cluster,
      server: cluster.process,
      agent,
      agentProcess: agent.process,
      throttle,
      throttled: false,
      ca,
    },
    ...{ token: user.token, namespace, podUid: created.metadata?.uid ?? '' },
  };
  await registered(run, cluster.base);
  return run;
}

async function killAt(run: Run, point: KillPoint): Promise<string> {
  const proxy = `${run.cluster.base}/proxy/${run.namespace}/hot/recordings`;
  const started = await call(proxy, run.ca, run.token, 'POST', { durationSeconds: 4, frequency: 499 });
  assert.equal(started.status, 202, started.body);
  const { id } = JSON.parse(started.body) as RecordingStatus;
  if (point.server && point.stage === 'done') {
    run.server.child.kill('SIGKILL');
    await run.server.exited;
  }
  if (point.stage === 'upload') await throttleOnceRecorded(run, id);
  const seen = await waitForJournal(run, id, point);
  if (point.server && point.stage !== 'done') {
    run.server.child.kill('SIGKILL');
    await run.server.exited;
  }
  if (point.agent) await killAgent(run);
  await sleep(2000); // both stay away a while
  if (point.server) run.server = await run.cluster.restart();
  if (point.agent) restartAgent(run);
  await registered(run, run.cluster.base);
  return `${id} ${seen}`;
}

describe('fault injection in a cluster: kill -9 of the node agent', () => {
  it('loses no recording: a restarted agent finishes and delivers from its disk, with the grant it kept', async (t) => {
    const run = await setUp(t);
    const rows: string[] = [];
    let done = 0;
    let failed = 0;
    for (const point of KILL_POINTS) {
      const [id = '', seen = ''] = (await killAt(run, point)).split(' ');
      const entry = await inCatalog(run, id);
      // The agent is done with it (its raw files go after the graph) before the next start.
      await eventually(
        async () => ((await journalOf(run, id))?.upload === 'sent' ? true : undefined),
        240_000,
        `the agent to be done with ${id}`,
      );
      const final = await inCatalog(run, id);
      if (final.state === 'failed') {
        failed += 1;
        assert.match(final.error ?? '', /\w/, `${point.name}: a failed recording says why`);
        rows.push(`${point.name.padEnd(34)} (seen at ${seen.padEnd(9)}) → failed: ${final.error ?? ''}`);
        continue;
      }
      done += 1;
      const bytes = await assertSameBytes(run, final);
      assert.ok(final.endReason, `${point.name}: why it ended is said`);
      assert.ok((final.samples ?? 0) > 0, `${point.name}: samples were kept (${final.samples})`);
      rows.push(
        `${point.name.padEnd(34)} (seen at ${seen.padEnd(9)}) → ${final.state}, ${final.samples} samples, ${final.artifacts.length} files, ${bytes} bytes as written; ${final.endReason}`,
      );
      assert.equal(entry.id, id);
    }
    const lost = KILL_POINTS.length - done - failed;
    const summary = [
      `node agent killed: ${KILL_POINTS.length} started, ${done} done, ${failed} failed with a reason, ${lost} lost`,
      ...rows.map((r) => `  ${r}`),
    ];
    t.diagnostic(summary.join('\n'));
    process.stdout.write(`${summary.join('\n')}\n`);
    assert.equal(lost, 0);
  });
});
