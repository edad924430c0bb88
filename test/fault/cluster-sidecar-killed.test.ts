// kill -9 of a webhook-injected sidecar in a cluster (real API server, TokenReview, RBAC, real perf), as
// a container dies: its process is killed and the simulated kubelet starts the container again on the same
// emptyDir. Killed while it records, while it uploads, and together with the server while it uploads.
// After each restart the recording is in the catalog, done with its graph or failed with the reason; none
// vanishes. For the uploads the sidecar is slowed with a CPU quota so they can be caught; the counts are
// printed.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { API_GROUP, SIDECAR_CONTAINER_NAME, SIDECAR_MOUNT_PATHS } from '../../core/contract/names.ts';
import type { CatalogEntry, RecordingStatus } from '../../core/contract/recording.ts';
import { createUser, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { cpuThrottle } from '../harness/cpu-throttle.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { bearerCall as call } from '../harness/http.ts';
import { simulatePod, type SimulatedPod } from '../harness/pod-sim.ts';
import { registerScopedWebhook, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { journalStage } from './fault-processes.ts';

const SCOPE_LABEL = 'furnace-fault-scope';
const { cp, kc } = await useCluster();

const KILL_POINTS = [
  // Half way through its 4 s, once perf has begun its perf.data.
  { name: 'sidecar while recording', stage: 'recording', afterMs: 2000, server: false },
  { name: 'sidecar while uploading', stage: 'upload', afterMs: 0, server: false },
  { name: 'server and sidecar while uploading', stage: 'upload', afterMs: 0, server: true },
] as const;

/** The sidecar's own process (not perf, which shares its mount namespace): the container's main process. */
async function sidecarPid(pod: SimulatedPod): Promise<number> {
  return eventually(
    async () => {
      await pod.containerPid(SIDECAR_CONTAINER_NAME);
      for (const pid of await pod.hostPids()) {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline.includes('sidecar/main.ts')) return pid;
      }
      return undefined;
    },
    30_000,
    'the sidecar process',
  );
}

/** The sidecar's data directory (its emptyDir), as its own mount namespace shows it (/proc/PID/root). */
async function sidecarData(pod: SimulatedPod): Promise<string> {
  const pid = await sidecarPid(pod);
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  const key = 'FURNACE_SIDECAR_DATA=';
  const dataDir = environ
    .split('\0')
    .find((entry) => entry.startsWith(key))
    ?.slice(key.length);
  // Unset in an injected sidecar: its output volume is the data directory (sidecar/config.ts).
  return `/proc/${pid}/root${dataDir ?? SIDECAR_MOUNT_PATHS.outputDir}`;
}

/** A file of the recording in the sidecar's emptyDir. */
async function sidecarFile(pod: SimulatedPod, id: string, name: string): Promise<string> {
  return `${await sidecarData(pod)}/recordings/${id}/${name}`;
}

/** Whether the catalog has taken the recording, as the sidecar's journal says. */
async function uploadState(pod: SimulatedPod, id: string): Promise<string | undefined> {
  const text = await readFile(await sidecarFile(pod, id, 'recording.json'), 'utf8').catch(() => '');
  return text === '' ? undefined : (JSON.parse(text) as { upload?: string }).upload;
}

/** Whether perf has begun its perf.data (before that, a killed recording has nothing to finish from). */
async function perfStarted(pod: SimulatedPod, id: string): Promise<boolean> {
  const file = await sidecarFile(pod, id, 'perf.data');
  return ((await stat(file).catch(() => undefined))?.size ?? 0) > 0;
}

describe('fault injection in a cluster: kill -9 of the injected sidecar', () => {
  it('loses no recording: the restarted sidecar finishes and delivers from its emptyDir', async (t) => {
    const dir = await workDir(t, 'fault-sidecar');
    const cluster = await startClusterServer(t, dir, { kubeconfigPath: cp.kubeconfigPath });
    const { base, certs } = cluster;
    let server = cluster.process;
    const webhook = await registerScopedWebhook(t, kc, cluster, SCOPE_LABEL);
    const namespace = await webhook.namespace();
    const program = await buildHotProgram(dir);
    await waitUntilInjecting(kc, namespace, 'the webhook configuration to take effect');
    await kc.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'hot', labels: { furnace: 'enabled' } },
        spec: { containers: [{ name: 'app', image: 'registry.example/hot:1' }] },
      },
    });
    const pod = await simulatePod(kc, namespace, 'hot', {
      commands: { app: [program, '900', String(SAMPLED_BUSY_PERCENT)] },
      restartAlways: [SIDECAR_CONTAINER_NAME],
    });
    t.after(() => pod.stop());
    const rules = [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get', 'list'] }];
    const user = await createUser(kc, { name: 'profiler', namespace, rules });
    const registered = () =>
      eventually(
        async () => {
          const list = await call(`${base}/api/v1/sidecars`, certs.caPem, user.token);
          return list.status === 200 && list.body.includes('"hot"') ? true : undefined;
        },
        120_000,
        'the sidecar to register',
      );
    await registered();
    const throttle = await cpuThrottle(t, 4);

    const proxy = `${base}/proxy/${namespace}/hot/recordings`;
    const rows: string[] = [];
    let [done, failed] = [0, 0];
    for (const point of KILL_POINTS) {
      const started = await call(proxy, certs.caPem, user.token, 'POST', {
        durationSeconds: 4,
        frequency: 499,
      });
      assert.equal(started.status, 202, started.body);
      const { id } = JSON.parse(started.body) as RecordingStatus;
      await sleep(point.afterMs);
      // The stage is read from the sidecar's journal in its emptyDir, not asked through the proxy: a request
      // costs the sidecar a TLS request's CPU, which a throttled sidecar polled every 20 ms spent its quota on.
      const data = await sidecarData(pod);
      // Recording is caught at full speed (perf then has samples in its file). The short stages after it
      // need the quota, and only they get it: the sidecar is slowed once its recording has ended, when perf
      // record and the perf script made ahead of it are already running and stay at full speed. Slowed from
      // the start, the recording's end took about 30 s and perf script about 70 s at 4 % of a core. A
      // restarted sidecar starts and recovers at full speed.
      let throttled = false;
      const seen = await eventually(
        async () => {
          const stage = await journalStage(data, id).catch(() => undefined); // undefined while half written
          const ended = stage !== undefined && stage !== 'recording';
          if (ended && point.stage !== 'recording' && !throttled) {
            await throttle.add(await sidecarPid(pod));
            throttled = true;
          }
          if (stage !== point.stage) return undefined;
          return point.stage !== 'recording' || (await perfStarted(pod, id)) ? point.stage : undefined;
        },
        120_000,
        `recording ${id} to reach ${point.stage}`,
        20,
      );
      if (point.server) server.child.kill('SIGKILL');
      const killed = await sidecarPid(pod);
      process.kill(killed, 'SIGKILL');
      if (point.server) {
        await server.exited;
        await sleep(3000); // away a while
        server = await cluster.restart();
      }
      await eventually(
        async () => ((await sidecarPid(pod)) === killed ? undefined : true),
        60_000,
        'the sidecar container to start again',
      );
      await registered();
      const catalogEntry = () =>
        eventually(
          async () => {
            const answer = await call(`${base}/api/v1/recordings/${id}`, certs.caPem, user.token);
            if (answer.status !== 200) return undefined;
            const body = JSON.parse(answer.body) as CatalogEntry;
            if (body.state === 'failed') return body;
            return body.state === 'done' && body.artifacts.some((a) => a.name === 'flamegraph.svg')
              ? body
              : undefined;
          },
          240_000,
          `recording ${id} in the catalog after the restart`,
          500,
        );
      await catalogEntry();
      // The sidecar is done with it (its raw files go after the graph) before the next start.
      await eventually(
        async () => ((await uploadState(pod, id).catch(() => undefined)) === 'sent' ? true : undefined),
        240_000,
        `the sidecar to be done with ${id}`,
      );
      const entry = await catalogEntry(); // with the raw files it sends after the graph
      if (entry.state === 'failed') {
        failed += 1;
        assert.match(entry.error ?? '', /\w/, `${point.name}: a failed recording says why`);
      } else done += 1;
      const how =
        entry.state === 'done'
          ? `done, ${entry.samples} samples, ${entry.artifacts.length} files, ${entry.warnings?.length ?? 0} warnings`
          : `failed: ${entry.error}`;
      rows.push(`${point.name.padEnd(36)} (seen at ${seen.padEnd(9)}) → ${how}; ${entry.endReason ?? ''}`);
    }
    const lost = KILL_POINTS.length - done - failed;
    const summary = [
      `injected sidecar killed: ${KILL_POINTS.length} started, ${done} done, ${failed} failed with a reason, ${lost} lost`,
      ...rows.map((r) => `  ${r}`),
    ];
    t.diagnostic(summary.join('\n'));
    process.stdout.write(`${summary.join('\n')}\n`);
    assert.equal(lost, 0);
  });
});
