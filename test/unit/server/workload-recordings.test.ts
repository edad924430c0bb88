// Which recordings a recording of a workload is compared with (server/catalog/workload-recordings.ts): the
// pinned baseline of its workload, found by the names its kind's controller gives pods, and the recording
// before it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { workloadRecordings } from '../../../server/catalog/workload-recordings.ts';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

function entry(id: string, pod: string, minute: number, baselineOf?: string): CatalogEntry {
  return {
    id,
    namespace: 'monitoring',
    pod,
    state: 'done',
    params: {
      durationSeconds: 10,
      frequency: 99,
      event: 'cpu-clock',
      callGraph: 'fp',
      symbols: 'proc',
      systemWide: false,
      profiler: 'perf',
    },
    startedAt: new Date(T0 + minute * 60_000).toISOString(),
    artifacts: [{ name: 'stacks.folded', bytes: 100 }],
    ...(baselineOf ? { baselineOf } : {}),
  };
}

describe("a workload's recordings", () => {
  it('finds the pinned baseline of a DaemonSet whose name has a dash for its later pods', () => {
    const pinned = entry('a', 'node-exporter-x2k4q', 0, 'daemonset/node-exporter');
    const before = entry('b', 'node-exporter-7fjq2', 1);
    const later = entry('c', 'node-exporter-p9s8d', 2);
    const found = workloadRecordings(later, [later, before, pinned]);
    assert.equal(found.workload, 'daemonset/node-exporter');
    assert.equal(found.baseline?.id, 'a');
    assert.equal(found.previous?.id, 'b');
  });

  it("does not take another workload's pods for the pinned one's", () => {
    const pinned = entry('a', 'web-x2k4q', 0, 'daemonset/web');
    const other = entry('b', 'web-api-x2k4q', 1);
    const later = entry('c', 'web-api-p9s8d', 2);
    const found = workloadRecordings(later, [later, other, pinned]);
    assert.equal(found.baseline, undefined, 'web-api is not a pod of daemonset/web');
    assert.equal(found.previous?.id, 'b');
  });

  it('finds a Deployment pinned by a pod of an earlier ReplicaSet', () => {
    const pinned = entry('a', 'web-7d9f8c6b5-x2k4q', 0, 'deployment/web');
    const later = entry('b', 'web-5c4b3a291-p9s8d', 1);
    const found = workloadRecordings(later, [later, pinned]);
    assert.equal(found.baseline?.id, 'a');
    assert.equal(found.previous?.id, 'a');
  });
});
