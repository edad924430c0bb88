// Failover of two server replicas behind a real HAProxy (TCP mode, health checks on /readyz), sharing
// registrations and sessions through the real API server and catalog artifacts through a real S3 server
// (versitygw). RECORDERS simulated recorders (pods created through the API server in an opted-in
// namespace) are started through HAProxy every 3 s, answer the proxy's start and upload the finished
// recording through HAProxy, while one replica is SIGKILLed every KILL_EVERY_S and started again 10 s later.
// The issue asks for 20 recorders for 5 minutes with a kill every 60 s. CI runs 6 recorders for 60 s with
// a kill every 20 s. At 20 recorders the 20 starts of a round used to race for the lowest free numbered
// start slot and most were refused as over maxConcurrentPerNamespace; they now try free numbers in a
// random order (server/slots/). What remains at that size on a loaded 2-core machine is a start that
// finds the pod's previous 1 s recording still uploading (409, a true answer). FURNACE_FAILOVER_SECONDS,
// FURNACE_FAILOVER_KILL_EVERY and FURNACE_FAILOVER_RECORDERS set the size.
// Asserted: every recording that reached `done` downloads from BOTH replicas directly with the recorder's
// checksum; at least 99.5 % of API calls succeed with at most one retry. Printed: the counts and the
// convergence p99 (registered through A → proxied by B; uploaded through either → listed by both), which
// is not asserted (no timed assertions in tests; docs/benchmarks.md has the figures).
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { installCrds } from '../harness/crds.ts';
import { eventually } from '../harness/eventually.ts';
import { startHaproxy, troubledConnections, type Haproxy } from '../harness/haproxy.ts';
import { bearerCall } from '../harness/http.ts';
import { replicaReady, startReplicas, type ReplicaServer } from '../harness/replica-servers.ts';
import { startS3Server } from '../harness/s3-server.ts';
import { counted, newCounts, within, startRecorder, type Fleet, type Recorder } from './failover-fleet.ts';
import { KUBE_SIDECAR_IMAGE } from './server-kube-fixture.ts';

const RUN_S = Number(process.env.FURNACE_FAILOVER_SECONDS ?? 60);
const KILL_EVERY_S = Number(process.env.FURNACE_FAILOVER_KILL_EVERY ?? 20);
const RESTART_AFTER_S = 10;
const RECORDERS = Number(process.env.FURNACE_FAILOVER_RECORDERS ?? 6);
const START_EVERY_MS = 3000;
const RECORDING_SECONDS = 1;

const { cp, kc } = await useCluster();
await installCrds(cp);

function p99(samples: number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
}

interface Run {
  t: TestContext;
  replicas: ReplicaServer[];
  users: string;
  recordersUrl: string;
  ca: string;
  namespace: string;
  token: string;
  fleet: Fleet;
  /** Whether both replicas are up (no kill since the flag was last set). */
  both: { up: boolean; epoch: number };
  kills: number;
  haproxy: Haproxy;
}

async function setUp(t: TestContext): Promise<Run> {
  const s3 = await startS3Server(t);
  const leases = await createNamespace(kc, { prefix: 'furnace' });
  const storage = {
    s3: {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: s3.region,
      accessKeyIdFile: s3.accessKeyFile,
      secretAccessKeyFile: s3.secretKeyFile,
    },
  };
  const replicas = await startReplicas(t, {
    kubeconfigPath: cp.kubeconfigPath,
    namespace: leases,
    env: { FURNACE_INJECT_IMAGE: KUBE_SIDECAR_IMAGE },
    // 20 recorders in one namespace: the default of 5 concurrent recordings per namespace would refuse most starts.
    // Every recording of the run stays in the catalog (retention would evict the oldest past 100 a namespace).
    extra: {
      storage,
      limits: { maxConcurrentPerNamespace: 100, maxConcurrentPerCluster: 200 },
      retention: { maxCount: 10000, namespaceMaxCount: 2000 },
    },
  });
  const haproxy = await startHaproxy(t, [
    { name: 'users', servers: replicas.map((r) => ({ name: r.name, port: r.port, readyPort: r.port })) },
    {
      name: 'recorders',
      servers: replicas.map((r) => ({ name: r.name, port: r.recorderPort, readyPort: r.port })),
    },
  ]);
  const namespace = await createNamespace(kc, { enabled: true });
  const user = await createUser(kc, {
    name: 'recorder-user',
    namespace,
    rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['get', 'create'] }],
  });
  return {
    t,
    replicas,
    users: `https://127.0.0.1:${haproxy.ports.users}`,
    recordersUrl: `https://127.0.0.1:${haproxy.ports.recorders}`,
    ca: replicas.map((r) => r.certs.caPem).join('\n'),
    namespace,
    token: user.token,
    fleet: { recorders: [], counts: newCounts(), done: [] },
    both: { up: true, epoch: 0 },
    kills: 0,
    haproxy,
  };
}

/** Registers every recorder through A and times how long B takes to proxy it. */
async function registerFleet(run: Run): Promise<number[]> {
  const [a, b] = run.replicas as [ReplicaServer, ReplicaServer];
  const samples: number[] = [];
  for (let index = 0; index < RECORDERS; index++) {
    const setup = { ...run, kc, index, recorderUrl: run.recordersUrl };
    const recorder = await startRecorder(setup, a.recorderUrl);
    const at = performance.now();
    const seen = await eventually(
      async () => {
        const url = `${b.base}/proxy/${run.namespace}/${recorder.name}/recordings`;
        return (await bearerCall(url, b.certs.caPem, run.token)).status === 200
          ? performance.now()
          : undefined;
      },
      30_000,
      `B proxying ${recorder.name}`,
      20,
    );
    samples.push(seen - at);
    run.fleet.recorders.push(recorder);
  }
  return samples;
}

/** One replica SIGKILLed (by PID) every KILL_EVERY_S, started again RESTART_AFTER_S later, until the deadline. */
async function chaos(run: Run, deadline: number): Promise<void> {
  for (let turn = 0; ; turn++) {
    await sleep(KILL_EVERY_S * 1000 - RESTART_AFTER_S * 1000);
    if (Date.now() + RESTART_AFTER_S * 1000 > deadline) return;
    const victim = run.replicas[turn % run.replicas.length] as ReplicaServer;
    run.both = { up: false, epoch: run.both.epoch + 1 };
    process.kill(victim.process.pid, 'SIGKILL');
    await victim.process.exited;
    run.kills++;
    process.stdout.write(`killed ${victim.name} (SIGKILL) at ${new Date().toISOString()}\n`);
    await sleep(RESTART_AFTER_S * 1000);
    victim.restart();
    await replicaReady(victim);
    run.both = { up: true, epoch: run.both.epoch + 1 };
  }
}

/** How long after its upload's answer both replicas list the recording with its artifact (when both were up). */
async function listedByBoth(run: Run, id: string, since: number): Promise<number | undefined> {
  const epoch = run.both.epoch;
  if (!run.both.up) return undefined;
  for (const replica of run.replicas)
    await eventually(
      async () => {
        const answer = await bearerCall(
          `${replica.base}/api/v1/recordings/${id}`,
          replica.certs.caPem,
          run.token,
        );
        if (answer.status !== 200) return undefined;
        return (JSON.parse(answer.body) as { artifacts: unknown[] }).artifacts.length > 0 ? true : undefined;
      },
      30_000,
      `${replica.name} listing ${id}`,
      20,
    ).catch(() => undefined);
  return run.both.epoch === epoch && run.both.up ? performance.now() - since : undefined;
}

/** A start with its own idempotency key, the same on its retry (as the UI and the operator send one). */
function startOne(run: Run, recorder: Recorder) {
  const url = `${run.users}/proxy/${run.namespace}/${recorder.name}/recordings`;
  const key = `start-${randomUUID()}`;
  return counted(run.fleet.counts, `start on ${recorder.name}`, () =>
    bearerCall(
      url,
      run.ca,
      run.token,
      'POST',
      { durationSeconds: RECORDING_SECONDS },
      { 'idempotency-key': key },
    ),
  );
}

/** A start on every recorder every START_EVERY_MS until the deadline; one convergence sample a round. */
async function drive(run: Run, deadline: number, convergence: number[]): Promise<number> {
  let starts = 0;
  const sampling: Promise<void>[] = [];
  run.fleet.onDone = (upload) => {
    if (run.fleet.done.length % 5 === 1)
      sampling.push(
        listedByBoth(run, upload.id, upload.at).then((ms) => void (ms !== undefined && convergence.push(ms))),
      );
  };
  while (Date.now() < deadline) {
    const round = Date.now();
    await Promise.all(run.fleet.recorders.map((recorder) => startOne(run, recorder)));
    starts += run.fleet.recorders.length;
    await sleep(Math.max(0, START_EVERY_MS - (Date.now() - round)));
  }
  await Promise.all(sampling);
  return starts;
}

/** Each recording that reached `done`, downloaded from each replica directly (for up to 60 s): those whose bytes differ or are missing. */
async function lostRecordings(run: Run): Promise<string[]> {
  let pending = run.fleet.done.flatMap((upload) =>
    run.replicas.map((replica) => ({ upload, replica, why: '' })),
  );
  const until = Date.now() + 60_000;
  while (pending.length > 0 && Date.now() < until) {
    for (const item of pending) {
      const url = `${item.replica.base}/api/v1/recordings/${item.upload.id}/artifacts/stacks.folded`;
      const answer = await within(bearerCall(url, item.replica.certs.caPem, run.token));
      const sum = createHash('sha256').update(answer.body).digest('hex');
      item.why =
        answer.status === 200 && sum === item.upload.sha256
          ? ''
          : `${answer.status} ${answer.body.slice(0, 200)}`;
    }
    pending = pending.filter((item) => item.why !== '');
    if (pending.length > 0) await sleep(1000);
  }
  return pending.map((item) => `${item.upload.id} from ${item.replica.name}: ${item.why}`);
}

/** Started recordings whose catalog entry (on replica A) is not finished. */
async function unfinished(run: Run): Promise<string[]> {
  const a = run.replicas[0] as ReplicaServer;
  const left: string[] = [];
  for (const recorder of run.fleet.recorders)
    for (const id of recorder.started.keys()) {
      const answer = await within(bearerCall(`${a.base}/api/v1/recordings/${id}`, a.certs.caPem, run.token));
      const state = answer.status === 200 ? (JSON.parse(answer.body) as { state: string }).state : 'missing';
      if (state !== 'done' && state !== 'failed') left.push(`${id}: ${state}`);
    }
  return left;
}

function report(
  run: Run,
  starts: number,
  registration: number[],
  convergence: number[],
  extra: string[],
): number {
  const { counts } = run.fleet;
  const calls = counts.first + counts.retried + counts.failed;
  const ok = (counts.first + counts.retried) / calls;
  const startedOnSidecars = run.fleet.recorders.reduce((sum, r) => sum + r.started.size, 0);
  const lines = [
    `failover: ${RUN_S} s, ${RECORDERS} recorders, ${run.kills} kills (every ${KILL_EVERY_S} s, back after ${RESTART_AFTER_S} s)`,
    `starts asked ${starts}, started on the sidecars ${startedOnSidecars}, reached done ${run.fleet.done.length}`,
    `API calls ${calls}: first try ${counts.first}, after one retry ${counts.retried}, failed ${counts.failed} (${(ok * 100).toFixed(2)} % succeeded)`,
    `convergence p99: registered through A -> proxied by B ${p99(registration).toFixed(0)} ms (${registration.length} samples); uploaded -> listed by both ${p99(convergence).toFixed(0)} ms (${convergence.length} samples)`,
    ...extra,
    ...counts.failures.slice(0, 20).map((failure) => `  failed: ${failure}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return ok;
}

describe('two replicas behind HAProxy while one is killed every so often', () => {
  it(
    'loses no finished recording and answers nearly every call within one retry',
    { timeout: (RUN_S + 600) * 1000 },
    async (t) => {
      const run = await setUp(t);
      const registration = await registerFleet(run);
      const convergence: number[] = [];
      const deadline = Date.now() + RUN_S * 1000;
      const [starts] = await Promise.all([drive(run, deadline, convergence), chaos(run, deadline)]);
      await Promise.all(run.fleet.recorders.flatMap((recorder) => [...recorder.pending]));
      for (const replica of run.replicas) await replicaReady(replica);
      const lost = await lostRecordings(run);
      const left = await unfinished(run);
      const ok = report(run, starts, registration, convergence, [
        `lost (done but not downloadable with its checksum from a replica): ${lost.length}`,
        `unfinished at the end: ${left.length} (the server fails them ${900} s past their duration)`,
        ...lost.slice(0, 10).map((x) => `  lost: ${x}`),
        ...left.slice(0, 10).map((x) => `  unfinished: ${x}`),
      ]);
      assert.ok(run.fleet.done.length > 0, 'some recordings reached done');
      assert.deepEqual(lost, [], 'every recording that reached done is downloadable from both replicas');
      assert.ok(
        ok >= 0.995,
        `${(ok * 100).toFixed(2)} % of API calls succeeded within one retry; at least 99.5 % must. ` +
          `The first failures: ${run.fleet.counts.failures.slice(0, 8).join(' | ')}; ` +
          `connections HAProxy saw end badly:\n${troubledConnections(run.haproxy).join('\n')}`,
      );
    },
  );
});
