// The rollout watch's metric series from Recordings as the API server lists them: top changed functions of
// the latest comparison, flag counts, and the bounds on labels (functions, name length, Recordings).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  functionLabel,
  WATCH_METRICS_LIMITS,
  watchSeries,
} from '../../../server/regressions/watch-series.ts';

interface Change {
  name: string;
  direction: 'regressed' | 'improved';
  before: number;
  after: number;
}

function watching(name: string, changes: Change[][], flags = { regressed: 0, improved: 0 }): object {
  return {
    apiVersion: 'furnace.hyperfoil.io/v1alpha1',
    kind: 'Recording',
    metadata: { namespace: 'shop', name },
    spec: { durationSeconds: 10, watch: { kind: 'Deployment', name: 'web' } },
    status: {
      watch: {
        flags,
        comparisons: changes.map((c, i) => ({
          from: `v${i + 1}`,
          to: `v${i}`,
          verdict: 'regressed',
          changes: c,
        })),
      },
    },
  };
}

describe('rollout watch metric series', () => {
  it('gives the before and after self shares of the latest comparison only, and the flag counts', () => {
    const latest: Change[] = [
      { name: 'furnace_light', direction: 'regressed', before: 11.3, after: 28 },
      { name: 'furnace_beta', direction: 'improved', before: 30, after: 20.5 },
    ];
    const older: Change[] = [{ name: 'old_fn', direction: 'regressed', before: 1, after: 9 }];
    const series = watchSeries([watching('web-rollouts', [latest, older], { regressed: 2, improved: 1 })]);
    const labels = { namespace: 'shop', recording: 'web-rollouts', workload: 'deployment/web' };
    assert.deepEqual(series.shares, [
      { ...labels, function: 'furnace_light', direction: 'regressed', version: 'before', value: 0.113 },
      { ...labels, function: 'furnace_light', direction: 'regressed', version: 'after', value: 0.28 },
      { ...labels, function: 'furnace_beta', direction: 'improved', version: 'before', value: 0.3 },
      { ...labels, function: 'furnace_beta', direction: 'improved', version: 'after', value: 0.205 },
    ]);
    assert.deepEqual(series.flags, [
      { ...labels, verdict: 'regressed', value: 2 },
      { ...labels, verdict: 'improved', value: 1 },
    ]);
    assert.equal(series.leftOut, 0);
  });

  it('takes the latest comparison with the version before, not one with the pinned baseline', () => {
    const recording = watching('r', [
      [{ name: 'furnace_light', direction: 'regressed', before: 11, after: 28 }],
      [{ name: 'old_fn', direction: 'regressed', before: 1, after: 9 }],
    ]) as { status: { watch: { comparisons: Record<string, unknown>[] } } };
    const [first] = recording.status.watch.comparisons;
    if (first) first.against = 'baseline';
    assert.deepEqual([...new Set(watchSeries([recording]).shares.map((s) => s.function))], ['old_fn']);
  });

  it('keeps the top functions, cuts long names and drops a name that cuts to one already kept', () => {
    const long = `ns::Parser<${'T'.repeat(5000)}>::parse`;
    const changes: Change[] = [
      { name: long, direction: 'regressed', before: 1, after: 9 },
      { name: `${long}_again`, direction: 'regressed', before: 2, after: 8 },
      ...Array.from({ length: 9 }, (_, i) => ({
        name: `fn_${i}`,
        direction: 'improved' as const,
        before: 10,
        after: 5,
      })),
    ];
    const { shares } = watchSeries([watching('r', [changes])]);
    const names = [...new Set(shares.map((s) => s.function))];
    assert.equal(names.length, WATCH_METRICS_LIMITS.functions);
    assert.equal(names[0], functionLabel(long));
    assert.equal([...(names[0] ?? '')].length, WATCH_METRICS_LIMITS.functionChars);
    assert.ok(names[0]?.endsWith('…'));
    assert.deepEqual(names.slice(1), ['fn_0', 'fn_1', 'fn_2', 'fn_3']);
  });

  it('skips Recordings that watch nothing and entries of the wrong shape, and counts Recordings beyond the cap', () => {
    const plain = { metadata: { namespace: 'shop', name: 'once' }, spec: { durationSeconds: 5 } };
    const hostile = watching('bad', [
      [
        { name: 'ok_fn', direction: 'regressed', before: 5, after: 15 },
        { name: 'nan', direction: 'regressed', before: Number.NaN, after: 1 },
        { name: 'way', direction: 'sideways', before: 1, after: 2 } as unknown as Change,
        { name: 'big', direction: 'regressed', before: 1, after: 1e9 },
      ],
    ]);
    const noStatus = {
      metadata: { namespace: 'shop', name: 'new' },
      spec: { watch: { kind: 'StatefulSet', name: 'db' } },
    };
    const series = watchSeries([plain, hostile, noStatus, null, 'text']);
    assert.deepEqual(
      series.shares.map((s) => s.function),
      ['ok_fn', 'ok_fn'],
    );
    assert.deepEqual(
      series.flags.map((f) => [f.recording, f.workload, f.verdict, f.value]),
      [
        ['bad', 'deployment/web', 'regressed', 0],
        ['bad', 'deployment/web', 'improved', 0],
        ['new', 'statefulset/db', 'regressed', 0],
        ['new', 'statefulset/db', 'improved', 0],
      ],
    );
    const many = Array.from({ length: WATCH_METRICS_LIMITS.recordings + 7 }, (_, i) =>
      watching(`r-${String(i).padStart(4, '0')}`, []),
    );
    const capped = watchSeries(many);
    assert.equal(capped.leftOut, 7);
    assert.equal(capped.flags.length, WATCH_METRICS_LIMITS.recordings * 2);
    assert.equal(
      capped.flags.at(-1)?.recording,
      `r-${String(WATCH_METRICS_LIMITS.recordings - 1).padStart(4, '0')}`,
    );
  });
});
