// A Recording's status shows each pod's pushes to sinks as the server's catalog entry says them, follows
// them until they settle, and says in words when a sink the spec names never got a push. The real
// reconciler and planner; a small fake of the server client at the boundary (the process tier has the
// real pushes, test/process/sinks.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry, RecordingStatus as SidecarRecording } from '../../../core/contract/recording.ts';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import type { SinkDelivery } from '../../../core/sinks/delivery.ts';
import { DELIVERY_POLL_MS, NAMED_SINK_WAIT_MS } from '../../../operator/recording/deliveries.ts';
import { reconcileRecording, type RecordingDeps } from '../../../operator/recording/reconcile.ts';
import type { Recording, RecordingSpec } from '../../../operator/recording/recording-types.ts';
import type { FurnaceServerClient } from '../../../operator/recording/server-client.ts';
import { NO_SELECTIONS } from '../../harness/no-selections.ts';

const params = validateRecordingParams({ durationSeconds: 2 }, DEFAULT_LIMITS);
const ENDED = Date.parse('2026-03-01T12:00:02Z');

/** The server as the fake client shows it: one pod `web-0` whose recording `rec-1` is done, with `deliveries`. */
function fakeServer(catalog: { deliveries?: SinkDelivery[] }) {
  const status: SidecarRecording = {
    id: 'rec-1',
    state: 'done',
    stage: 'upload',
    progress: 1,
    params,
    targets: [],
    startedAt: '2026-03-01T12:00:00Z',
    artifacts: [],
  };
  const entry = (): CatalogEntry => ({
    id: 'rec-1',
    namespace: 'shop',
    pod: 'web-0',
    state: 'done',
    params,
    startedAt: '2026-03-01T12:00:00Z',
    endedAt: new Date(ENDED).toISOString(),
    artifacts: [{ name: 'stacks.folded', bytes: 20 }],
    ...(catalog.deliveries ? { deliveries: catalog.deliveries } : {}),
  });
  const server: FurnaceServerClient = {
    startRecording: () => Promise.resolve({ ...status, state: 'recording' }),
    getRecording: () => Promise.resolve(status),
    stopRecording: () => Promise.resolve(),
    getCatalogEntry: () => Promise.resolve(entry()),
    readArtifact: () => Promise.resolve('shop;main;hot 10\n'),
    deleteRecording: () => Promise.resolve(),
    ...NO_SELECTIONS,
  };
  return server;
}

function setUp(spec: Partial<RecordingSpec>, catalog: { deliveries?: SinkDelivery[] }) {
  const recording: Recording = {
    metadata: { name: 'r', namespace: 'shop', generation: 1, creationTimestamp: '2026-03-01T11:59:00Z' },
    spec: { target: { pod: 'web-0' }, durationSeconds: 2, ...spec },
  };
  const clock = { now: ENDED + 1000 };
  const deps: RecordingDeps = {
    kube: {
      targetPods: () => Promise.resolve([{ name: 'web-0', phase: 'Running' }]),
      writeStatus: (_recording, status) => {
        recording.status = status;
        return Promise.resolve();
      },
      setFinalizers: () => Promise.reject(new Error('a one-off Recording has no finalizer')),
      continuousCheckSince: () => Promise.reject(new Error('a one-off Recording is not checked')),
    },
    server: fakeServer(catalog),
    now: () => clock.now,
  };
  return { recording, clock, deps };
}

const pushed = (
  sink: string,
  state: SinkDelivery['state'],
  extra: Partial<SinkDelivery> = {},
): SinkDelivery => ({
  sink,
  state,
  attempts: state === 'pending' ? 0 : 1,
  updatedAt: '2026-03-01T12:00:03Z',
  ...extra,
});

async function reconcile(deps: RecordingDeps, recording: Recording, times = 4) {
  let outcome = {};
  for (let i = 0; i < times; i++) outcome = await reconcileRecording(deps, recording);
  return outcome as { requeueAfterMs?: number };
}

describe("a Recording's pushes to sinks", () => {
  it('shows a pending push, keeps looking, then shows it delivered and stops looking', async () => {
    const catalog = { deliveries: [pushed('pyroscope', 'pending')] };
    const { recording, deps } = setUp({ sinks: ['pyroscope'] }, catalog);
    const first = await reconcile(deps, recording);
    assert.equal(recording.status?.phase, 'Succeeded');
    assert.deepEqual(recording.status?.results?.[0]?.deliveries, [
      { sink: 'pyroscope', state: 'pending', attempts: 0 },
    ]);
    assert.equal(first.requeueAfterMs, DELIVERY_POLL_MS, 'looked at again while the push is pending');
    catalog.deliveries = [pushed('pyroscope', 'delivered')];
    const second = await reconcile(deps, recording, 1);
    assert.deepEqual(recording.status?.results?.[0]?.deliveries, [
      { sink: 'pyroscope', state: 'delivered', attempts: 1 },
    ]);
    assert.equal(second.requeueAfterMs, undefined, 'nothing left to follow');
  });

  it('shows a failed push with the sink’s answer in words', async () => {
    const lastError = 'the sink answered 401: invalid tenant';
    const { recording, deps } = setUp({}, { deliveries: [pushed('otel', 'failed', { lastError })] });
    await reconcile(deps, recording);
    assert.deepEqual(recording.status?.results?.[0]?.deliveries, [
      { sink: 'otel', state: 'failed', attempts: 1, lastError },
    ]);
  });

  it('says that a named sink got no push once the recording ended long ago', async () => {
    const { recording, deps, clock } = setUp({ sinks: ['parca'] }, {});
    await reconcile(deps, recording);
    assert.equal(recording.status?.results?.[0]?.deliveries, undefined, 'too early to say');
    clock.now = ENDED + NAMED_SINK_WAIT_MS;
    await reconcile(deps, recording, 1);
    const deliveriesNow = (r: Recording) => r.status?.results?.[0]?.deliveries ?? [];
    const [delivery] = deliveriesNow(recording);
    assert.equal(delivery?.state, 'failed');
    assert.match(delivery?.lastError ?? '', /queued no push to sink parca within 10 minutes/);
  });

  it('lists no push, and stops looking, when no sink takes the recording', async () => {
    const { recording, deps, clock } = setUp({}, {});
    clock.now = ENDED + 60_000;
    const outcome = await reconcile(deps, recording);
    assert.deepEqual(recording.status?.results?.[0]?.deliveries, []);
    assert.equal(outcome.requeueAfterMs, undefined);
  });
});
