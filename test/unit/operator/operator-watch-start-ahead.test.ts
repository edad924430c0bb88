// A rollout watch begins the new version's run as soon as its pods are Ready, dated at the settle's end: the
// starts ask the recorders to sample from then (startAt), the run's end is awaited from then. The real
// reconciler and planners; small fakes at the boundaries (the server client, the Kubernetes reads).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import type { RecordingStatus as SidecarRecording } from '../../../core/contract/recording.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { endWaitSeconds } from '../../../operator/recording/end-wait.ts';
import { StacksReads } from '../../../operator/recording/merged-stacks.ts';
import type { Recording, RecordingStatus } from '../../../operator/recording/recording-types.ts';
import type { FurnaceServerClient, StartBody } from '../../../operator/recording/server-client.ts';
import { reconcileWatch, type WatchDeps } from '../../../operator/recording/watch/reconcile-watch.ts';
import { NO_SELECTIONS } from '../../harness/no-selections.ts';

const READY = '2026-03-01T12:00:00Z';
const NOW = Date.parse(READY) + 1_500;
const SAMPLING_FROM = '2026-03-01T12:00:02.000Z';

const params = validateRecordingParams({ durationSeconds: 8 }, DEFAULT_LIMITS);

function fakes() {
  const starts: StartBody[] = [];
  const written: RecordingStatus[] = [];
  const unexpected = () => Promise.reject(new Error('not a call this reconcile makes'));
  const server: FurnaceServerClient = {
    ...NO_SELECTIONS,
    startRecording: (_namespace, pod, body) => {
      starts.push(body);
      const recording: SidecarRecording = {
        ...{ id: `rec-${pod}`, state: 'recording', stage: 'record', progress: 0, params, targets: [] },
        ...{ startedAt: body.startAt ?? new Date(NOW).toISOString(), artifacts: [] },
      };
      return Promise.resolve(recording);
    },
    getRecording: unexpected,
    stopRecording: unexpected,
    deleteRecording: unexpected,
    getCatalogEntry: () => Promise.resolve(undefined),
    readArtifact: unexpected,
    listBaselines: () => Promise.resolve({ items: [] }),
  };
  const deps: WatchDeps = {
    kube: {
      targetPods: unexpected,
      writeStatus: (_recording, status) => {
        written.push(status);
        return Promise.resolve();
      },
      setFinalizers: unexpected,
      continuousCheckSince: unexpected,
    },
    server,
    now: () => NOW,
    stacksReads: new StacksReads(),
    watchKube: {
      readWorkload: () =>
        Promise.resolve({
          ...{ version: 'v2', rolledOut: true, selector: { matchLabels: { app: 'web' } } },
          subject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
        }),
      podsOf: () => Promise.resolve([{ name: 'web-2', phase: 'Running', ready: true, readySince: READY }]),
      recordEvent: () => Promise.resolve(),
    },
    compare: () => {
      throw new Error('nothing to compare yet');
    },
  };
  return { deps, starts, written };
}

const watching: Recording = {
  metadata: { name: 'web-rollouts', namespace: 'shop', generation: 1, uid: 'u-1' },
  spec: {
    target: { selector: {} },
    durationSeconds: 8,
    watch: { kind: 'Deployment', name: 'web', settleSeconds: 2 },
  },
};

describe('a rollout watch starts its run ahead', () => {
  it('starts the pods once Ready with startAt at the settle end, dates the run there and awaits its end from there', async () => {
    const { deps, starts, written } = fakes();
    const outcome = await reconcileWatch(deps, watching);
    assert.deepEqual(starts, [{ durationSeconds: 8, startAt: SAMPLING_FROM }], 'one start, asked ahead');
    const status = written.at(-1);
    assert.equal(status?.lastRunTime, SAMPLING_FROM, 'the run is dated at the real start of sampling');
    assert.deepEqual(
      status?.results?.map((r) => [r.pod, r.state, r.recordingId]),
      [['web-2', 'recording', 'rec-web-2']],
    );
    const end = Date.parse(SAMPLING_FROM) + 8_000;
    assert.ok((outcome.requeueAfterMs ?? Infinity) <= end - NOW, 'looked at again by its end');
    assert.equal(
      status && endWaitSeconds(status, watching.spec, Date.parse(SAMPLING_FROM) + 6_500),
      undefined,
      'no waiting read 8 s after the start was asked: sampling began 0.5 s later',
    );
  });
});
