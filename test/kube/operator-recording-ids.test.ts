// A sidecar names another tenant's recording: the Recording reconciler against a real server process, a
// pod injected through the real admission chain whose sidecar (test/harness/lying-sidecar.ts) registers
// for real but answers every start with an id of its choosing, and the operator calling the server as a
// service account bound to the operator's own generated ClusterRole (which may read and delete recordings
// in every namespace). The catalog already holds a recording of another namespace's pod; the operator must
// neither copy its top functions into the tenant's Recording nor delete it when a scheduled run falls off.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../core/contract/limits.ts';
import { validateRecordingParams } from '../../core/contract/recording-params.ts';
import { OPERATOR_CLUSTER_RULES } from '../../deploy/manifests/operator-rbac.ts';
import { createRecordingKube } from '../../operator/recording/recording-kube.ts';
import type { RecordingDeps } from '../../operator/recording/reconcile.ts';
import { createServerClient } from '../../operator/recording/server-client.ts';
import { openCatalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { createServiceAccountToken, useCluster } from '../harness/cluster.ts';
import { bindClusterRole } from '../harness/cluster-roles.ts';
import { installCrds } from '../harness/crds.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { workDir } from '../harness/temp-dirs.ts';
import {
  createRecording,
  ended,
  reconcileUntil,
  recordingServerDataDir,
  startInjectedPod,
  startRecordingServer,
} from './recording-fixture.ts';

const { cp, kc } = await useCluster();

const VICTIM = { namespace: 'payroll', pod: 'payroll-7d9f' };
const VICTIM_ID = '20260101T000000Z-payrollsecret';
const VICTIM_FUNCTION = 'payroll_compute_salaries';

/** A finished recording of another namespace's pod, in the catalog the server will load. */
async function seedVictimRecording(dataDir: string): Promise<void> {
  const catalog = await openCatalog({ dataDir, now: () => Date.now(), retention: DEFAULT_RETENTION });
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  await catalog.putMetadata(
    {
      id: VICTIM_ID,
      state: 'done',
      stage: 'upload',
      progress: 1,
      params: validateRecordingParams({ durationSeconds: 5 }, DEFAULT_LIMITS),
      targets: [],
      startedAt,
      endedAt: new Date(Date.now() - 50_000).toISOString(),
      artifacts: ['stacks.folded'],
      samples: 100,
    },
    VICTIM,
  );
  const folded = `payroll;main;${VICTIM_FUNCTION} 100\n`;
  await catalog.putArtifact(VICTIM_ID, 'stacks.folded', Readable.from([folded]), {
    owner: VICTIM,
    maxBytes: 1 << 20,
  });
  await catalog.drain();
}

describe("a Recording whose pod's sidecar names another tenant's recording", () => {
  it('neither reads nor deletes a catalog recording of another pod', async (t) => {
    const dir = await workDir(t, 'recording-ids');
    await seedVictimRecording(recordingServerDataDir(dir));
    const { base, ca, namespace } = await startRecordingServer(t, { cp, kc }, dir);
    await installCrds(cp);
    await cp.kubectl(['create', 'serviceaccount', 'furnace-operator', '-n', namespace]);
    t.after(
      await bindClusterRole(kc, {
        name: 'furnace-operator',
        namespace,
        serviceAccount: 'furnace-operator',
        rules: [...OPERATOR_CLUSTER_RULES],
      }),
    );
    const tokenPath = join(dir, 'operator-token');
    await writeFile(
      tokenPath,
      await createServiceAccountToken(kc, { namespace, serviceAccount: 'furnace-operator' }),
    );
    const warnings: string[] = [];
    let fakeNow = Date.now();
    const deps: RecordingDeps = {
      kube: createRecordingKube(kc),
      server: createServerClient({ url: base, tokenPath, ca }),
      now: () => fakeNow,
      options: { startGraceSeconds: 5, pollIntervalMs: 500 },
      log: { warn: (obj, msg) => warnings.push(`${msg}: ${JSON.stringify(obj)}`) },
    };
    const liar = [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'test/harness/lying-sidecar.ts')];
    await startInjectedPod(t, kc, namespace, 'liar', { furnace: 'enabled' }, { app: ['sleep', '600'] }, [
      ...liar,
      VICTIM_ID,
      'liar-own-2',
    ]);
    const operatorToken = await createServiceAccountToken(kc, {
      namespace,
      serviceAccount: 'furnace-operator',
    });
    const victimEntry = () =>
      httpsCall(`${base}/api/v1/recordings/${VICTIM_ID}`, ca, {
        headers: { authorization: `Bearer ${operatorToken}` },
      });
    await eventually(
      async () => {
        const list = await httpsCall(`${base}/api/v1/sidecars`, ca, {
          headers: { authorization: `Bearer ${operatorToken}` },
        });
        return list.body.includes('"liar"') ? true : undefined;
      },
      60_000,
      'the lying sidecar to register',
    );
    assert.equal((await victimEntry()).status, 200, 'the victim recording is in the catalog');

    await createRecording(kc, namespace, 'nightly', {
      durationSeconds: 2,
      target: { pod: 'liar' },
      schedule: '0 3 * * *',
      keep: 1,
    });
    const waiting = await reconcileUntil(kc, deps, namespace, 'nightly', (s) => s.nextRunTime !== undefined);
    fakeNow = Date.parse(waiting.nextRunTime ?? '');
    const first = await reconcileUntil(
      kc,
      deps,
      namespace,
      'nightly',
      (s) => s.lastRunTime !== undefined && ended(s),
    );
    assert.equal(first.results?.[0]?.recordingId, VICTIM_ID, 'the sidecar answered with the victim id');
    assert.doesNotMatch(
      JSON.stringify(first),
      new RegExp(VICTIM_FUNCTION),
      "the victim's functions in the tenant's status",
    );
    assert.equal(first.phase, 'Failed', first.message);
    assert.match(first.message ?? '', new RegExp(`${VICTIM_ID}.*not a recording of pod ${namespace}/liar`));

    // The next run falls off `keep: 1` the first run's recording: the victim's id.
    fakeNow = Date.parse(first.nextRunTime ?? '');
    const lastRunTime = new Date(fakeNow).toISOString();
    await reconcileUntil(kc, deps, namespace, 'nightly', (s) => s.lastRunTime === lastRunTime && ended(s));
    assert.equal((await victimEntry()).status, 200, 'the victim recording is still in the catalog');
    assert.ok(
      warnings.some((w) => w.includes(VICTIM_ID)),
      `a warning names the refused id: ${warnings.join('; ')}`,
    );
  });
});
