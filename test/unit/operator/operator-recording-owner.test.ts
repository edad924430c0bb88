// The Recording reconciler trusts a catalog id only as far as the server's catalog vouches for it: the id
// comes from the pod's sidecar, and the operator may read and delete recordings in every namespace. Small
// fakes at the boundary (the server client and the Kubernetes edge), the real reconciler and planner.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry, RecordingStatus as SidecarRecording } from '../../../core/contract/recording.ts';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { foreignEntry } from '../../../operator/recording/catalog-owner.ts';
import { reconcileRecording, type RecordingDeps } from '../../../operator/recording/reconcile.ts';
import type {
  Recording,
  RecordingSpec,
  RecordingStatus,
} from '../../../operator/recording/recording-types.ts';
import type { FurnaceServerClient } from '../../../operator/recording/server-client.ts';
import { NO_SELECTIONS } from '../../harness/no-selections.ts';

const params = validateRecordingParams({ durationSeconds: 2 }, DEFAULT_LIMITS);

function entry(id: string, namespace: string, pod: string): CatalogEntry {
  return {
    id,
    namespace,
    pod,
    state: 'done',
    params,
    startedAt: '2026-03-01T12:00:00Z',
    endedAt: '2026-03-01T12:00:02Z',
    artifacts: [{ name: 'stacks.folded', bytes: 20 }],
  };
}

/** A server whose sidecar for `shop/liar` answers starts with `ids`, in turn; the catalog holds `catalog`. */
function lyingServer(ids: string[], catalog: CatalogEntry[]) {
  const calls = { read: [] as string[], deleted: [] as string[] };
  let next = 0;
  const status = (id: string, state: SidecarRecording['state']): SidecarRecording => ({
    id,
    state,
    stage: 'upload',
    progress: 1,
    params,
    targets: [],
    startedAt: '2026-03-01T12:00:00Z',
    artifacts: [],
  });
  const server: FurnaceServerClient = {
    startRecording: () => Promise.resolve(status(ids[Math.min(next++, ids.length - 1)] ?? '', 'recording')),
    getRecording: (_namespace, _pod, id) => Promise.resolve(status(id, 'done')),
    stopRecording: () => Promise.resolve(),
    getCatalogEntry: (id) => Promise.resolve(catalog.find((e) => e.id === id)),
    readArtifact: (id) => {
      calls.read.push(id);
      return Promise.resolve('shop;main;hot 10\n');
    },
    deleteRecording: (id) => {
      calls.deleted.push(id);
      return Promise.resolve();
    },
    ...NO_SELECTIONS,
  };
  return { server, calls };
}

function recordingOf(spec: Partial<RecordingSpec> = {}): Recording {
  return {
    metadata: { name: 'r', namespace: 'shop', generation: 1, creationTimestamp: '2026-03-01T11:55:00Z' },
    spec: { target: { pod: 'liar' }, durationSeconds: 2, ...spec },
  };
}

/** Reconciles (the clock at `now()`) until `until` holds for the written status. */
async function reconcileUntil(
  deps: RecordingDeps,
  recording: Recording,
  until: (status: RecordingStatus) => boolean,
): Promise<RecordingStatus> {
  for (let i = 0; i < 20; i++) {
    await reconcileRecording(deps, recording);
    if (recording.status && until(recording.status)) return recording.status;
  }
  throw new Error(`never got there: ${JSON.stringify(recording.status)}`);
}

function depsFor(
  server: FurnaceServerClient,
  recording: Recording,
  clock: { now: number },
  warnings: string[],
) {
  const deps: RecordingDeps = {
    kube: {
      targetPods: () => Promise.resolve([{ name: 'liar', phase: 'Running' }]),
      writeStatus: (_recording, status) => {
        recording.status = status;
        return Promise.resolve();
      },
      setFinalizers: () => Promise.reject(new Error('a one-off Recording has no finalizer')),
      continuousCheckSince: () => Promise.reject(new Error('a one-off Recording is not checked')),
    },
    server,
    now: () => clock.now,
    log: { warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj)}`) },
  };
  return deps;
}

const ended = (s: RecordingStatus) => s.phase === 'Succeeded' || s.phase === 'Failed';

describe("a Recording whose sidecar names another pod's catalog recording", () => {
  it("says whose recording an entry is: the pod's own, or another pod's (same namespace or not)", () => {
    assert.equal(foreignEntry(entry('a', 'shop', 'liar'), 'shop', 'liar'), undefined);
    assert.match(
      foreignEntry(entry('a', 'shop', 'web'), 'shop', 'liar') ?? '',
      /not a recording of pod shop\/liar/,
    );
    assert.match(
      foreignEntry(entry('a', 'payroll', 'liar'), 'shop', 'liar') ?? '',
      /^recording a in the server's catalog/,
    );
  });

  it("fails the run without reading the other pod's folded stacks", async () => {
    const { server, calls } = lyingServer(['victim'], [entry('victim', 'payroll', 'payroll-0')]);
    const recording = recordingOf();
    const status = await reconcileUntil(
      depsFor(server, recording, { now: Date.parse('2026-03-01T12:00:00Z') }, []),
      recording,
      ended,
    );
    assert.equal(status.phase, 'Failed');
    assert.match(
      status.message ?? '',
      /pod liar: recording victim in the server's catalog is not a recording of pod shop\/liar/,
    );
    assert.equal(status.topFunctions, undefined);
    assert.deepEqual(calls.read, []);
  });

  it("reads the pod's own recording as before", async () => {
    const { server, calls } = lyingServer(['own'], [entry('own', 'shop', 'liar')]);
    const recording = recordingOf();
    const status = await reconcileUntil(
      depsFor(server, recording, { now: Date.parse('2026-03-01T12:00:00Z') }, []),
      recording,
      ended,
    );
    assert.equal(status.phase, 'Succeeded', status.message);
    assert.deepEqual(calls.read, ['own']);
  });

  it("does not delete the other pod's recording when its run falls off `keep`, and says so", async () => {
    const { server, calls } = lyingServer(
      ['victim', 'own-2'],
      [entry('victim', 'payroll', 'payroll-0'), entry('own-2', 'shop', 'liar')],
    );
    const recording = recordingOf({ schedule: '0 3 * * *', keep: 1 });
    const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
    const warnings: string[] = [];
    const deps = depsFor(server, recording, clock, warnings);
    const waiting = await reconcileUntil(deps, recording, (s) => s.nextRunTime !== undefined);
    clock.now = Date.parse(waiting.nextRunTime ?? '');
    const first = await reconcileUntil(deps, recording, (s) => s.lastRunTime !== undefined && ended(s));
    clock.now = Date.parse(first.nextRunTime ?? '');
    const second = new Date(clock.now).toISOString();
    await reconcileUntil(deps, recording, (s) => s.lastRunTime === second && ended(s));
    assert.deepEqual(
      recording.status?.runs?.map((r) => r.results[0]?.recordingId),
      ['own-2'],
    );
    assert.deepEqual(calls.deleted, []);
    assert.ok(
      warnings.some((w) => /did not delete a recording of another pod.*victim/.test(w)),
      warnings.join('\n'),
    );
  });

  it('deletes its own old recordings as before', async () => {
    const { server, calls } = lyingServer(
      ['own-1', 'own-2'],
      [entry('own-1', 'shop', 'liar'), entry('own-2', 'shop', 'liar')],
    );
    const recording = recordingOf({ schedule: '0 3 * * *', keep: 1 });
    const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
    const deps = depsFor(server, recording, clock, []);
    clock.now = Date.parse(
      (await reconcileUntil(deps, recording, (s) => s.nextRunTime !== undefined)).nextRunTime ?? '',
    );
    const first = await reconcileUntil(deps, recording, (s) => s.lastRunTime !== undefined && ended(s));
    clock.now = Date.parse(first.nextRunTime ?? '');
    const second = new Date(clock.now).toISOString();
    await reconcileUntil(deps, recording, (s) => s.lastRunTime === second && ended(s));
    assert.deepEqual(calls.deleted, ['own-1']);
  });
});
