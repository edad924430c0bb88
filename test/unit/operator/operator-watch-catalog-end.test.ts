// A rollout watch learns its run's end from the catalog as soon as the catalog holds the new recording's
// stacks, not only from the recorder, which answers `done` once every file is uploaded
// (operator/recording/catalog-end.ts). The real pollAll and reads, the real clock; a small fake of the
// server client at the boundary, whose recorder answers only when the test lets it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import type { CatalogEntry, RecordingStatus as SidecarRecording } from '../../../core/contract/recording.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import {
  catalogEndIntervalMs,
  CATALOG_END_READS_PER_SECOND,
  doneInCatalog,
} from '../../../operator/recording/catalog-end.ts';
import { mergedStacks, StacksReads } from '../../../operator/recording/merged-stacks.ts';
import { pollAll, type RecordingDeps } from '../../../operator/recording/reconcile.ts';
import type { Recording } from '../../../operator/recording/recording-types.ts';
import type { FurnaceServerClient } from '../../../operator/recording/server-client.ts';
import { NO_SELECTIONS } from '../../harness/no-selections.ts';

const params = validateRecordingParams({ durationSeconds: 8 }, DEFAULT_LIMITS);

function entryOf(over: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    ...{ id: 'new', namespace: 'shop', pod: 'web-2', state: 'done', params, samples: 42 },
    ...{ startedAt: '2026-03-01T12:00:00Z', artifacts: [{ name: 'stacks.folded', bytes: 20 }] },
    ...over,
  };
}

const recorderDone = (samples: number): SidecarRecording => ({
  ...{ id: 'new', state: 'done', stage: 'upload', progress: 1, params, targets: [], samples },
  ...{ startedAt: '2026-03-01T12:00:00Z', artifacts: ['stacks.folded'] },
});

/**
 * A server whose catalog answers `entries` in turn (the last one from then on), and whose recorder answers
 * a waiting read with `samples` 1 only once `release` is called, or once the catalog was read `releaseAfter`
 * times, or after two seconds.
 */
function serverWith(entries: (CatalogEntry | undefined)[], releaseAfter = Number.POSITIVE_INFINITY) {
  const calls = { catalog: 0, waits: 0, stacks: 0 };
  let release = () => {};
  const answered = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(release, 2000);
  const server: FurnaceServerClient = {
    ...NO_SELECTIONS,
    startRecording: () => Promise.reject(new Error('this run has begun')),
    getRecording: async (_namespace, _pod, _id, wait) => {
      if (!wait) throw new Error('a read at the end waits');
      calls.waits += 1;
      await answered;
      clearTimeout(timer);
      return recorderDone(1);
    },
    stopRecording: () => Promise.resolve(),
    getCatalogEntry: () => {
      calls.catalog += 1;
      if (calls.catalog >= releaseAfter) release();
      return Promise.resolve(entries[Math.min(calls.catalog, entries.length) - 1]);
    },
    readArtifact: () => {
      calls.stacks += 1;
      return Promise.resolve('app;main;furnace_light 42\n');
    },
    deleteRecording: () => Promise.resolve(),
  };
  return { server, calls, release };
}

/** A watch's run of pod web-2 whose 8 s should have ended 200 ms ago. */
function endedRun(): Recording {
  const began = Date.now() - 8_200;
  return {
    metadata: { name: 'web-rollouts', namespace: 'shop', generation: 1 },
    spec: {
      target: { selector: {} },
      durationSeconds: 8,
      watch: { kind: 'Deployment', name: 'web', settleSeconds: 2 },
    },
    status: {
      phase: 'Recording',
      lastRunTime: new Date(began).toISOString(),
      results: [{ pod: 'web-2', state: 'recording', recordingId: 'new' }],
    },
  };
}

function depsOf(server: FurnaceServerClient): RecordingDeps {
  const refuse = () => Promise.reject(new Error('not asked'));
  return {
    kube: { targetPods: refuse, writeStatus: refuse, setFinalizers: refuse, continuousCheckSince: refuse },
    server,
    now: () => Date.now(),
  };
}

const pods = [{ name: 'web-2', phase: 'Running' }];

describe("a rollout watch's end from the catalog", () => {
  it('is the catalog’s once it holds the stacks, while the recorder still uploads the other files', async () => {
    const arriving = entryOf({ arriving: ['stacks.folded'], artifacts: [] });
    const { server, calls } = serverWith([undefined, arriving, entryOf()], 6);
    const run = endedRun();
    const status = await pollAll(depsOf(server), run, pods, { fromCatalog: true });
    const result = status?.results?.[0];
    assert.equal(result?.state, 'done');
    assert.equal(result?.samples, 42, 'the catalog entry’s samples: it answered before the recorder');
    assert.equal(calls.waits, 1, 'the recorder was asked too');
  });

  it('reads the stacks at once, and the summary and comparison of the reconcile find them read', async () => {
    const { server, calls } = serverWith([entryOf()], 3);
    const deps = { ...depsOf(server), stacksReads: new StacksReads() };
    await pollAll(deps, endedRun(), pods, { fromCatalog: true });
    const readsOfEntry = calls.catalog;
    const target = [{ pod: 'web-2', recordingId: 'new' }];
    const merged = await mergedStacks(deps, 'shop', target);
    assert.deepEqual(merged, new Map([['app;main;furnace_light', 42]]));
    assert.equal(calls.stacks, 1);
    assert.equal(calls.catalog, readsOfEntry, 'the entry is not read again');
  });

  it('takes the recorder’s answer when the catalog entry is another pod’s or its stacks are still arriving', async () => {
    for (const entry of [
      entryOf({ pod: 'web-9' }),
      entryOf({ arriving: ['stacks.folded'] }),
      entryOf({ state: 'failed', error: 'perf died' }),
    ]) {
      const { server, calls } = serverWith([entry], 4);
      const status = await pollAll(depsOf(server), endedRun(), pods, { fromCatalog: true });
      assert.equal(status?.results?.[0]?.samples, 1, JSON.stringify(entry));
      assert.ok(calls.catalog >= 4, `the catalog was read ${calls.catalog} times`);
    }
  });

  it('stops reading the catalog once the recorder answered, and other runs never read it', async () => {
    const answered = serverWith([entryOf({ arriving: ['stacks.folded'] })], 1);
    await pollAll(depsOf(answered.server), endedRun(), pods, { fromCatalog: true });
    const readsThen = answered.calls.catalog;
    await sleep(300);
    assert.equal(answered.calls.catalog, readsThen, 'no read after the answer');

    const plain = serverWith([entryOf()]);
    plain.release();
    const status = await pollAll(depsOf(plain.server), endedRun(), pods);
    assert.equal(status?.results?.[0]?.samples, 1);
    assert.equal(plain.calls.catalog, 0);
  });

  it('paces the reads of all of a run’s pods together, and reads only a done entry of the pod with its stacks', () => {
    assert.equal(catalogEndIntervalMs(1), 1000 / CATALOG_END_READS_PER_SECOND);
    assert.equal(catalogEndIntervalMs(50), (50 * 1000) / CATALOG_END_READS_PER_SECOND);
    assert.equal(doneInCatalog(entryOf(), 'shop', 'web-2'), true);
    assert.equal(doneInCatalog(entryOf(), 'payroll', 'web-2'), false);
    assert.equal(doneInCatalog(entryOf({ artifacts: [] }), 'shop', 'web-2'), false);
    assert.equal(doneInCatalog(entryOf({ state: 'processing' }), 'shop', 'web-2'), false);
    assert.equal(doneInCatalog(undefined, 'shop', 'web-2'), false);
    // A server's answer of another shape is no answer: the recorder's decides.
    const odd = (fields: object): CatalogEntry => ({ ...entryOf(), ...fields });
    assert.equal(doneInCatalog(odd({ artifacts: null }), 'shop', 'web-2'), false);
    assert.equal(doneInCatalog(odd({ artifacts: [null, 'stacks.folded'] }), 'shop', 'web-2'), false);
    assert.equal(doneInCatalog(odd({ arriving: 'stacks.folded' }), 'shop', 'web-2'), false);
  });
});
