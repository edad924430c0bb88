// Recording resources end to end: a real server process with its webhook, pods injected by the real admission
// chain and run by the simulated kubelet with real sidecars and a hot program, and the Recording reconciler
// called by a small runner (recording-fixture.ts) in place of the operator's supervisor. The operator calls
// the server as its own service account, authorized by RBAC like a user.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { API_GROUP } from '../../core/contract/names.ts';
import type { RecordingStatus as SidecarRecording } from '../../core/contract/recording.ts';
import { createRecordingKube } from '../../operator/recording/recording-kube.ts';
import type { RecordingDeps } from '../../operator/recording/reconcile.ts';
import { createServerClient } from '../../operator/recording/server-client.ts';
import { createUser, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { httpsCall } from '../harness/http.ts';
import { startFurnace } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import {
  createRecording,
  ended,
  readRecording,
  reconcileUntil,
  startInjectedPod,
  startRecordingServer,
} from './recording-fixture.ts';
import { installCrds } from '../harness/crds.ts';

const { cp, kc } = await useCluster();

interface World {
  base: string;
  ca: string;
  namespace: string;
  /** The operator's service-account token. */
  token: string;
  deps: RecordingDeps;
}

async function sidecarsRegistered(world: World, pods: string[]): Promise<void> {
  await eventually(
    async () => {
      const list = await httpsCall(`${world.base}/api/v1/sidecars`, world.ca, {
        headers: { authorization: `Bearer ${world.token}` },
      });
      return pods.every((pod) => list.body.includes(`"${pod}"`)) ? true : undefined;
    },
    60_000,
    `the sidecars of ${pods.join(', ')} to register`,
  );
}

function download(world: World, path: string) {
  return httpsCall(`${world.base}${path}`, world.ca, { headers: { authorization: `Bearer ${world.token}` } });
}

/** The pod's recordings as its sidecar reports them, through the proxy. */
async function sidecarRecordings(world: World, pod: string): Promise<SidecarRecording[]> {
  const answer = await download(world, `/proxy/${world.namespace}/${pod}/recordings`);
  assert.equal(answer.status, 200, answer.body);
  return (JSON.parse(answer.body) as { recordings: SidecarRecording[] }).recordings;
}

const spec = { durationSeconds: 2, frequency: 199, container: 'app' };
/** Long enough for samples to show on a loaded machine (perf itself takes a while to start there). */
const sampled = { ...spec, durationSeconds: 5 };

describe('Recording resources', () => {
  it('are reconciled into real recordings of simulated pods, with downloadable flame graphs', async (t) => {
    const dir = await workDir(t, 'recording');
    const { base, ca, namespace } = await startRecordingServer(t, { cp, kc }, dir);
    await installCrds(cp);
    const operator = await createUser(kc, {
      name: 'furnace-operator',
      namespace,
      rules: [
        { apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get', 'list', 'delete'] },
      ],
    });
    const tokenPath = join(dir, 'operator-token');
    await writeFile(tokenPath, operator.token);
    const warnings: string[] = [];
    const world: World = {
      base,
      ca,
      namespace,
      token: operator.token,
      deps: {
        kube: createRecordingKube(kc),
        server: createServerClient({ url: base, tokenPath, ca }),
        now: () => Date.now(),
        options: { startGraceSeconds: 5, pollIntervalMs: 500 },
        log: { warn: (obj, msg) => warnings.push(`${msg}: ${String((obj as { err?: unknown }).err)}`) },
      },
    };
    const program = await buildHotProgram(dir);
    const hot = [program, '600', String(SAMPLED_BUSY_PERCENT)];
    // Pods that are never sampled idle: the machine is shared, the hot ones need the CPU.
    const idle = ['sleep', '600'];
    await startInjectedPod(
      t,
      kc,
      namespace,
      'hot-a',
      { furnace: 'enabled', app: 'hot', role: 'mixed' },
      { app: hot },
    );
    await startInjectedPod(t, kc, namespace, 'hot-b', { furnace: 'enabled', app: 'hot' }, { app: hot });
    await startInjectedPod(t, kc, namespace, 'odd', { furnace: 'enabled', role: 'mixed' }, { worker: idle });
    await startInjectedPod(t, kc, namespace, 'plain', {}, { app: idle });
    await sidecarsRegistered(world, ['hot-a', 'hot-b', 'odd']);
    const run = (name: string, until = ended, timeoutMs?: number) =>
      reconcileUntil(kc, world.deps, namespace, name, until, timeoutMs);

    await t.test(
      'a duration over the server limit fails, naming the field and the limit; nothing runs',
      async () => {
        await createRecording(kc, namespace, 'too-long', {
          ...spec,
          target: { pod: 'hot-a' },
          durationSeconds: 900,
        });
        const status = await run('too-long');
        assert.equal(status.phase, 'Failed');
        assert.match(
          status.message ?? '',
          /^pod hot-a: the server refused the recording: durationSeconds 900 is out of range: must be between 1 and 600/,
        );
        assert.deepEqual(await sidecarRecordings(world, 'hot-a'), []);
      },
    );

    await t.test('a missing pod fails at once, naming it', async () => {
      await createRecording(kc, namespace, 'missing', { ...spec, target: { pod: 'nope' } });
      const status = await run('missing');
      assert.equal(status.phase, 'Failed');
      assert.equal(status.message, `pod ${namespace}/nope not found`);
    });

    await t.test('a pod without a Furnace sidecar fails after the start grace, saying so', async () => {
      await createRecording(kc, namespace, 'no-sidecar', { ...spec, target: { pod: 'plain' } });
      const status = await run('no-sidecar');
      assert.equal(status.phase, 'Failed');
      assert.match(
        status.message ?? '',
        new RegExp(
          `^pod plain: not started within 5 s: pod ${namespace}/plain has no Furnace sidecar registered`,
        ),
      );
    });

    await t.test('one pod ends Succeeded with links to a flame graph of the hot function', async () => {
      await createRecording(kc, namespace, 'one', { ...sampled, target: { pod: 'hot-a' } });
      const status = await run('one');
      assert.equal(status.phase, 'Succeeded', status.message);
      assert.equal(status.observedGeneration, 1);
      const [result] = status.results ?? [];
      assert.ok(result?.links && result.recordingId, JSON.stringify(status));
      assert.equal(result.state, 'done');
      const folded = await download(world, result.links.folded);
      assert.equal(folded.status, 200, folded.body);
      const sidecar = await download(world, `/proxy/${namespace}/hot-a/recordings/${result.recordingId}`);
      assert.ok((status.samples ?? 0) > 0, `samples in ${JSON.stringify(status)}; sidecar: ${sidecar.body}`);
      assert.equal(status.topFunctions?.[0]?.name, 'furnace_heavy', JSON.stringify(status.topFunctions));
      const svg = await download(world, result.links.svg);
      assert.equal(svg.status, 200);
      assert.match(svg.body, /furnace_heavy/);
      assert.ok(
        samplesOf(folded.body, 'furnace_heavy') > samplesOf(folded.body, 'furnace_light'),
        `the heavy function has more samples:\n${folded.body.slice(0, 2000)}`,
      );
    });

    await t.test('a selector over two pods gives two results and a merged graph of both', async () => {
      await createRecording(kc, namespace, 'two', {
        ...sampled,
        target: { selector: { matchLabels: { app: 'hot' } } },
      });
      const status = await run('two');
      assert.equal(status.phase, 'Succeeded', status.message);
      assert.deepEqual(
        status.results?.map((r) => [r.pod, r.state]),
        [
          ['hot-a', 'done'],
          ['hot-b', 'done'],
        ],
      );
      assert.ok(status.merged, 'a merged graph for two pods');
      const merged = await download(world, status.merged.links.folded);
      assert.equal(merged.status, 200, merged.body);
      const each = await Promise.all(
        (status.results ?? []).map((r) => download(world, r.links?.folded ?? '')),
      );
      const heavy = each.reduce((sum, answer) => sum + samplesOf(answer.body, 'furnace_heavy'), 0);
      assert.equal(samplesOf(merged.body, 'furnace_heavy'), heavy, 'the merged graph adds up both pods');
      assert.match((await download(world, status.merged.links.svg)).body, /furnace_heavy/);
    });

    await t.test(
      'a scheduled one runs each time the (fake, scheduling-only) clock reaches its time and keeps `keep` runs',
      async () => {
        // The fake clock decides only when runs are due; the recordings themselves are real and take real time.
        let fakeNow = Date.now();
        const scheduled = { ...world.deps, now: () => fakeNow };
        await createRecording(kc, namespace, 'nightly', {
          ...spec,
          target: { pod: 'hot-b' },
          schedule: '0 3 * * *',
          keep: 2,
        });
        const waiting = await reconcileUntil(
          kc,
          scheduled,
          namespace,
          'nightly',
          (s) => s.nextRunTime !== undefined,
        );
        assert.equal(waiting.phase, 'Pending');
        const ids: string[] = [];
        let status = waiting;
        for (let i = 0; i < 3; i++) {
          fakeNow = Date.parse(status.nextRunTime ?? '');
          const lastRunTime = new Date(fakeNow).toISOString();
          status = await reconcileUntil(
            kc,
            scheduled,
            namespace,
            'nightly',
            (s) => s.lastRunTime === lastRunTime && ended(s),
          );
          assert.equal(status.phase, 'Succeeded', status.message);
          ids.push(status.results?.[0]?.recordingId ?? '');
        }
        assert.deepEqual(
          status.runs?.map((r) => r.results[0]?.recordingId),
          [ids[2], ids[1]],
          'the newest two runs',
        );
        const day = 24 * 3600 * 1000;
        const [newest = 0, older = 0] = (status.runs ?? []).map((r) => Date.parse(r.startTime));
        assert.equal(newest - older, day, 'runs a day apart, newest first');
        assert.equal(new Date(newest).toISOString().slice(11), '03:00:00.000Z');
        assert.equal(Date.parse(status.nextRunTime ?? '') - newest, day);
        assert.equal(
          (await download(world, `/api/v1/recordings/${ids[0]}`)).status,
          404,
          'the oldest run was deleted',
        );
        assert.equal((await download(world, `/api/v1/recordings/${ids[1]}`)).status, 200);
      },
    );

    await t.test('one pod failing stops the recordings already started for the Recording', async () => {
      // `odd` has no container named app: its sidecar refuses; hot-a was started in the same round.
      await createRecording(kc, namespace, 'mixed', {
        ...spec,
        durationSeconds: 60,
        target: { selector: { matchLabels: { role: 'mixed' } } },
      });
      const status = await run('mixed');
      assert.equal(status.phase, 'Failed');
      assert.match(status.message ?? '', /^pod odd: the server refused the recording: /);
      const hotA = status.results?.find((r) => r.pod === 'hot-a');
      assert.equal(hotA?.message, 'stopped: the recording of pod odd failed');
      const stopped = await eventually(
        async () => {
          const recording = (await sidecarRecordings(world, 'hot-a')).find((r) => r.id === hotA?.recordingId);
          return recording && recording.state !== 'recording' ? recording : undefined;
        },
        20_000,
        `the recording on hot-a to be stopped (operator warnings: ${warnings.join('; ')})`,
      );
      assert.ok(
        Date.parse(stopped.endedAt ?? stopped.startedAt) - Date.parse(stopped.startedAt) < 30_000,
        'stopped long before its 60 s',
      );
    });

    await t.test('the operator process (operator/main.ts) reconciles a Recording the same way', async () => {
      // Only the operator drives Recordings from here on: the ones above go, so it does not redo them.
      const deleted = await cp.kubectl(['delete', 'recordings', '--all', '-n', namespace]);
      assert.equal(deleted.code, 0, deleted.stderr);
      const caFile = join(dir, 'server-ca.pem');
      await writeFile(caFile, ca);
      startFurnace(t, ['operator/main.ts'], {
        KUBECONFIG: cp.kubeconfigPath,
        FURNACE_OPERATOR_PLATFORM: 'kubernetes',
        FURNACE_OPERATOR_SERVER_URL: base,
        FURNACE_OPERATOR_SERVER_CA_FILE: caFile,
        FURNACE_OPERATOR_TOKEN_PATH: tokenPath,
        // Its leader Lease goes to a namespace that exists here (in a pod, the operator's own).
        FURNACE_OPERATOR_NAMESPACE: namespace,
      });
      await createRecording(kc, namespace, 'by-operator', { ...sampled, target: { pod: 'hot-b' } });
      const status = await eventually(
        async () => {
          const current = (await readRecording(kc, namespace, 'by-operator')).status;
          return current && (current.phase === 'Succeeded' || current.phase === 'Failed')
            ? current
            : undefined;
        },
        120_000,
        'the operator to finish the Recording',
      );
      assert.equal(status.phase, 'Succeeded', status.message);
      assert.equal(status.topFunctions?.[0]?.name, 'furnace_heavy', JSON.stringify(status.topFunctions));
    });
  });
});
