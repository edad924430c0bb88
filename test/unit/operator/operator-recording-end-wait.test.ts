// A Recording's run learns that its recordings ended by a status read that waits for the end, once the run
// should have stopped recording (operator/recording/end-wait.ts). The real reconciler and planner; a small
// fake of the server client at the boundary, whose recorder ends while a read waits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import type { CatalogEntry, RecordingStatus as SidecarRecording } from '../../../core/contract/recording.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { END_WAIT_LEAD_MS, END_WAIT_SECONDS, endWaitSeconds } from '../../../operator/recording/end-wait.ts';
import { reconcileRecording, type RecordingDeps } from '../../../operator/recording/reconcile.ts';
import type { Recording, RecordingStatus } from '../../../operator/recording/recording-types.ts';
import type { FurnaceServerClient } from '../../../operator/recording/server-client.ts';
import { ServerCallError } from '../../../operator/recording/server-errors.ts';
import { NO_SELECTIONS } from '../../harness/no-selections.ts';

const params = validateRecordingParams({ durationSeconds: 10 }, DEFAULT_LIMITS);
const RUN = '2026-03-01T12:00:00.000Z';
const END = Date.parse(RUN) + 10_000;

const sidecarStatus = (id: string, state: SidecarRecording['state']): SidecarRecording => ({
  ...{ id, state, stage: state === 'done' ? 'upload' : 'collapse', progress: 1, params, targets: [] },
  ...{ startedAt: RUN, artifacts: state === 'done' ? ['stacks.folded'] : [] },
});

const catalogEntry: CatalogEntry = {
  ...{ id: 'rec-1', namespace: 'shop', pod: 'web-1', state: 'done', params, startedAt: RUN },
  ...{ endedAt: '2026-03-01T12:00:10Z', artifacts: [{ name: 'stacks.folded', bytes: 20 }] },
};

type WaitingRead = (wait: { waitSeconds: number }) => Promise<SidecarRecording>;

/** A server whose recorder answers a plain read "processing"; `waiting` answers a read that waits. */
function serverWith(waiting: WaitingRead) {
  const reads: (number | undefined)[] = [];
  const server: FurnaceServerClient = {
    startRecording: () => Promise.reject(new Error('this run has begun')),
    getRecording: (_namespace, _pod, id, wait) => {
      reads.push(wait?.waitSeconds);
      return wait ? waiting(wait) : Promise.resolve(sidecarStatus(id, 'processing'));
    },
    stopRecording: () => Promise.resolve(),
    getCatalogEntry: () => Promise.resolve(catalogEntry),
    readArtifact: () => Promise.resolve('shop;main;hot 10\n'),
    deleteRecording: () => Promise.resolve(),
    ...NO_SELECTIONS,
  };
  return { server, reads };
}

/** A run that began at RUN, whose recording rec-1 of pod web-1 is still recording. */
const runningStatus = (): RecordingStatus => ({
  phase: 'Recording',
  observedGeneration: 1,
  lastRunTime: RUN,
  results: [{ pod: 'web-1', state: 'recording', recordingId: 'rec-1' }],
});

/** A Recording of pod web-1 in that run. */
function runningRecording(): Recording {
  const status = runningStatus();
  return {
    metadata: { name: 'r', namespace: 'shop', generation: 1, creationTimestamp: '2026-03-01T11:55:00Z' },
    spec: { target: { pod: 'web-1' }, durationSeconds: 10 },
    status,
  };
}

function depsFor(server: FurnaceServerClient, recording: Recording, now: number, warnings: string[] = []) {
  const deps: RecordingDeps = {
    kube: {
      targetPods: () => Promise.resolve([{ name: 'web-1', phase: 'Running' }]),
      writeStatus: (_recording, status) => {
        recording.status = status;
        return Promise.resolve();
      },
      setFinalizers: () => Promise.reject(new Error('a one-off Recording has no finalizer')),
      continuousCheckSince: () => Promise.reject(new Error('a one-off Recording is not checked')),
    },
    server,
    now: () => now,
    log: { warn: (_obj, msg) => warnings.push(msg) },
  };
  return deps;
}

describe("a Recording's run waits on its recordings' end", () => {
  it('waits only once the run should have stopped recording, and not while a pod waits for its start', () => {
    const status = runningStatus();
    const spec = { durationSeconds: 10 };
    assert.equal(endWaitSeconds(status, spec, END - END_WAIT_LEAD_MS - 1), undefined);
    assert.equal(endWaitSeconds(status, spec, END - END_WAIT_LEAD_MS), END_WAIT_SECONDS);
    assert.equal(endWaitSeconds(status, spec, END + 60_000), END_WAIT_SECONDS);
    const pending: RecordingStatus = {
      ...status,
      results: [...(status.results ?? []), { pod: 'web-2', state: 'pending' }],
    };
    assert.equal(endWaitSeconds(pending, spec, END), undefined);
    assert.equal(endWaitSeconds({ ...status, phase: 'Succeeded' }, spec, END), undefined);
    assert.equal(endWaitSeconds(undefined, spec, END), undefined);
  });

  it('ends the run in the reconcile at its end: the read waits, the recorder answers done', async () => {
    const { server, reads } = serverWith(() => Promise.resolve(sidecarStatus('rec-1', 'done')));
    const early = runningRecording();
    await reconcileRecording(depsFor(server, early, END - 5000), early);
    assert.deepEqual(reads, [undefined], 'before the end, a plain poll');
    assert.equal(early.status?.results?.[0]?.state, 'processing');

    const recording = runningRecording();
    await reconcileRecording(depsFor(server, recording, END), recording);
    assert.deepEqual(reads, [undefined, END_WAIT_SECONDS]);
    assert.equal(recording.status?.phase, 'Succeeded', recording.status?.message);
    assert.deepEqual(recording.status?.topFunctions?.[0]?.name, 'hot');
  });

  it('polls as before when the waiting read fails other than with a 404', async () => {
    const cut = new ServerCallError(504, undefined, 'the sidecar did not answer in time');
    const { server, reads } = serverWith(() => Promise.reject(cut));
    const recording = runningRecording();
    const warnings: string[] = [];
    const outcome = await reconcileRecording(depsFor(server, recording, END, warnings), recording);
    assert.deepEqual(reads, [END_WAIT_SECONDS, undefined], 'the wait, then a plain read');
    assert.equal(recording.status?.results?.[0]?.state, 'processing');
    assert.ok(outcome.requeueAfterMs !== undefined, 'the reconcile looks again');
    assert.deepEqual(warnings, ['a status read waiting for the end failed; polling instead']);
  });

  it('asks the catalog, as a poll does, when the waiting read finds the pod gone', async () => {
    const gone = new ServerCallError(404, undefined, 'not registered');
    const { server, reads } = serverWith(() => Promise.reject(gone));
    const recording = runningRecording();
    await reconcileRecording(depsFor(server, recording, END), recording);
    assert.deepEqual(reads, [END_WAIT_SECONDS], 'no plain read after a 404');
    assert.equal(recording.status?.phase, 'Succeeded', recording.status?.message);
  });
});
