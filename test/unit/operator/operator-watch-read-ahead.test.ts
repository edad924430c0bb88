// A rollout watch reads what its comparison needs besides the new version while it waits for the new
// version's end (operator/recording/watch/read-ahead.ts), and reads each recording's stacks once per reconcile
// (operator/recording/merged-stacks.ts), so that after the end only the new recordings are read. A small fake
// at the boundary (the server client), the real reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { mergedStacks, StacksReads } from '../../../operator/recording/merged-stacks.ts';
import type { RecordingDeps } from '../../../operator/recording/reconcile.ts';
import type { Recording } from '../../../operator/recording/recording-types.ts';
import { ServerCallError } from '../../../operator/recording/server-errors.ts';
import type { FurnaceServerClient } from '../../../operator/recording/server-client.ts';
import { readAhead } from '../../../operator/recording/watch/read-ahead.ts';
import { NO_SELECTIONS } from '../../harness/no-selections.ts';

const params = validateRecordingParams({ durationSeconds: 8 }, DEFAULT_LIMITS);

function entry(id: string, pod: string, namespace = 'shop'): CatalogEntry {
  return {
    ...{ id, namespace, pod, state: 'done', params },
    ...{ startedAt: '2026-03-01T12:00:00Z', endedAt: '2026-03-01T12:00:08Z' },
    artifacts: [{ name: 'stacks.folded', bytes: 20 }],
  };
}

/** A catalog of `entries`, each recording's stacks `app;main;<id> 10`; counts the artifact reads by id. */
function catalogServer(entries: CatalogEntry[], baselines: unknown = { items: [] }) {
  const reads: string[] = [];
  const failures = new Set<string>();
  const unexpected = () => Promise.reject(new Error('not a call a read of stacks makes'));
  const server: FurnaceServerClient = {
    ...NO_SELECTIONS,
    startRecording: unexpected,
    getRecording: unexpected,
    stopRecording: unexpected,
    deleteRecording: unexpected,
    getCatalogEntry: (id) => Promise.resolve(entries.find((e) => e.id === id)),
    readArtifact: (id) => {
      reads.push(id);
      if (failures.delete(id))
        return Promise.reject(new ServerCallError(503, undefined, 'the server is restarting'));
      return Promise.resolve(`app;main;${id} 10\n`);
    },
    listBaselines: () => Promise.resolve(baselines),
  };
  return { server, reads, failures };
}

function depsOf(server: FurnaceServerClient, now: number): RecordingDeps {
  return {
    kube: {
      targetPods: () => Promise.reject(new Error('not asked')),
      writeStatus: () => Promise.reject(new Error('not asked')),
      setFinalizers: () => Promise.reject(new Error('not asked')),
      continuousCheckSince: () => Promise.reject(new Error('not asked')),
    },
    server,
    now: () => now,
    stacksReads: new StacksReads(),
  };
}

const runBegan = Date.parse('2026-03-01T12:00:00Z');

/** A watch whose version v1 (recording `old` of pod web-1) is kept and whose run of v2 began at runBegan. */
function watching(): Recording {
  return {
    metadata: { name: 'web-rollouts', namespace: 'shop', generation: 1 },
    spec: {
      target: { selector: {} },
      durationSeconds: 8,
      watch: { kind: 'Deployment', name: 'web', settleSeconds: 2 },
    },
    status: {
      phase: 'Recording',
      lastRunTime: new Date(runBegan).toISOString(),
      results: [{ pod: 'web-2', state: 'recording', recordingId: 'new' }],
      watch: {
        versions: [
          {
            version: 'v1',
            recordedAt: '2026-03-01T11:00:00Z',
            recordings: [{ pod: 'web-1', recordingId: 'old' }],
            samples: 10,
          },
        ],
      },
    },
  };
}

describe("a rollout watch's reads of stacks", () => {
  it("reads a version's recordings once per reconcile, whatever the order its pods are listed in", async () => {
    const { server, reads } = catalogServer([entry('a', 'web-1'), entry('b', 'web-2')]);
    const deps = depsOf(server, runBegan);
    const summary = await mergedStacks(deps, 'shop', [
      { pod: 'web-2', recordingId: 'b' },
      { pod: 'web-1', recordingId: 'a' },
    ]);
    const comparison = await mergedStacks(deps, 'shop', [
      { pod: 'web-1', recordingId: 'a' },
      { pod: 'web-2', recordingId: 'b' },
    ]);
    assert.deepEqual(reads.sort(), ['a', 'b']);
    assert.equal(comparison, summary);
    assert.deepEqual(
      comparison,
      new Map([
        ['app;main;a', 10],
        ['app;main;b', 10],
      ]),
    );
    // Without the reconcile's reads, every call asks the server.
    await mergedStacks({ server }, 'shop', [{ pod: 'web-1', recordingId: 'a' }]);
    assert.equal(reads.length, 3);
  });

  it('refuses another pod’s recording without reading its stacks', async () => {
    const { server, reads } = catalogServer([entry('a', 'web-1'), entry('x', 'web-1', 'payroll')]);
    const merged = await mergedStacks(depsOf(server, runBegan), 'shop', [
      { pod: 'web-1', recordingId: 'a' },
      { pod: 'web-2', recordingId: 'x' },
    ]);
    assert.equal(merged instanceof Map, false);
    assert.match(JSON.stringify(merged), /not a recording of pod shop\/web-2/);
    assert.deepEqual(reads, ['a']);
  });

  it('reads again what a failed read did not get, and a read ahead that failed is no unhandled rejection', async () => {
    const { server, reads, failures } = catalogServer([entry('a', 'web-1')]);
    const deps = depsOf(server, runBegan);
    failures.add('a');
    void mergedStacks(deps, 'shop', [{ pod: 'web-1', recordingId: 'a' }]);
    await turn();
    await turn();
    const merged = await mergedStacks(deps, 'shop', [{ pod: 'web-1', recordingId: 'a' }]);
    assert.deepEqual(merged, new Map([['app;main;a', 10]]));
    assert.deepEqual(reads, ['a', 'a']);
  });

  it('while the reconcile waits for the end: the version before and the pinned baseline are read ahead', async () => {
    const pinned = { ...entry('base', 'web-0'), baselineOf: 'deployment/web' };
    const { server, reads } = catalogServer([entry('old', 'web-1'), pinned], { items: [pinned] });
    // Half a second before the run's recordings should end: its status reads wait for the end.
    const deps = depsOf(server, runBegan + 7_500);
    const answer = await readAhead(deps, watching());
    assert.equal(answer?.pinned?.recordingId, 'base');
    await turn();
    await turn();
    assert.deepEqual(reads.sort(), ['base', 'old']);
    // After the end the comparison finds them read.
    await mergedStacks(deps, 'shop', [{ pod: 'web-1', recordingId: 'old' }]);
    await mergedStacks(deps, 'shop', [{ pod: 'web-0', recordingId: 'base' }]);
    assert.equal(reads.length, 2);
  });

  it('reads nothing ahead before the end is near, nor a baseline that is the version before', async () => {
    const early = catalogServer([entry('old', 'web-1')]);
    assert.equal(readAhead(depsOf(early.server, runBegan + 2_000), watching()), undefined);
    await turn();
    assert.deepEqual(early.reads, []);
    const pinned = { ...entry('old', 'web-1'), baselineOf: 'deployment/web' };
    const before = catalogServer([pinned], { items: [pinned] });
    await readAhead(depsOf(before.server, runBegan + 7_500), watching());
    await turn();
    await turn();
    assert.deepEqual(before.reads, ['old']);
  });
});
