// A watched workload's pinned baseline: which entry of the server's (untrusted) answer the watch takes,
// when a new version is compared with it, and what the two comparisons become: the status entries, the
// flag counts of each kind, one Event and the condition naming both.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareProfiles } from '../../../core/compare/regression.ts';
import type { WatchVersion } from '../../../core/crd/recording-watch.ts';
import {
  decideBaselineComparison,
  pinnedBaseline,
  recordingsToDelete,
  workloadOfWatch,
} from '../../../operator/recording/watch/pinned-baseline.ts';
import { EVENT_MESSAGE_CHARS } from '../../../operator/recording/watch/plan-watch.ts';
import { withComparisons } from '../../../operator/recording/watch/reconcile-watch.ts';
import {
  comparisonEvents,
  describeBaselineComparison,
  describeComparison,
} from '../../../operator/recording/watch/version-comparison.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const wanted = { namespace: 'shop', workload: 'deployment/web', profile: 'cpu' as const };
const entry = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'base1',
  namespace: 'shop',
  pod: 'web-7d9f8c6b5-x2k4q',
  state: 'done',
  baselineOf: 'deployment/web',
  startedAt: '2026-03-01T10:00:00Z',
  params: { durationSeconds: 10 },
  ...over,
});

const version = (name: string, ids: string[]): WatchVersion => ({
  version: name,
  recordedAt: NOW.toISOString(),
  recordings: ids.map((recordingId, i) => ({ pod: `web-${i}`, recordingId })),
  samples: 4000,
});

const stacks = (light: number) =>
  new Map([
    ['main;furnace_light', light],
    ['main;furnace_heavy', 1499],
    ['main;parse', 401],
    ['main;render', 299],
    ['main;io', 203],
    ['main;start', 1],
  ]);

describe("the watched workload's pinned baseline", () => {
  it('names the workload as a pin does', () => {
    assert.equal(workloadOfWatch({ kind: 'DeploymentConfig', name: 'web' }), 'deploymentconfig/web');
  });

  it('takes only an entry of its own namespace, pinned to this workload, finished, of its profile type', () => {
    const hostile: unknown[] = [
      entry({ namespace: 'other' }),
      entry({ baselineOf: 'deployment/api' }),
      entry({ state: 'recording' }),
      entry({ id: '../../etc/passwd' }),
      entry({ id: 42 }),
      entry({ pod: 'Web_0' }),
      entry({ startedAt: 'yesterday' }),
      entry({ params: { profile: 'offcpu' } }),
      entry({ params: { pprof: { kind: 'heap' } } }),
      entry({ params: 'cpu' }),
      'base1',
      null,
    ];
    for (const item of hostile)
      assert.equal(pinnedBaseline({ items: [item] }, wanted), undefined, JSON.stringify(item));
    for (const answer of [undefined, null, [], 'x', { items: 'base1' }, { items: {} }])
      assert.equal(pinnedBaseline(answer, wanted), undefined, JSON.stringify(answer));
    assert.deepEqual(pinnedBaseline({ items: [...hostile, entry({ params: { profile: 'cpu' } })] }, wanted), {
      recordingId: 'base1',
      pod: 'web-7d9f8c6b5-x2k4q',
      startedAt: '2026-03-01T10:00:00.000Z',
    });
  });

  it('compares with it unless it is the version before (or this one), as the pinned recording alone', () => {
    const pinned = { recordingId: 'base1', pod: 'web-a', startedAt: '2026-03-01T10:00:00.000Z' };
    const v3 = version('cccc', ['r3']);
    assert.deepEqual(decideBaselineComparison(undefined, v3, version('bbbb', ['r2'])), {
      compare: false,
      reason: 'no-baseline',
    });
    assert.deepEqual(decideBaselineComparison(pinned, v3, version('aaaa', ['r0', 'base1'])), {
      compare: false,
      reason: 'baseline-is-previous',
    });
    assert.deepEqual(decideBaselineComparison(pinned, version('aaaa', ['base1']), undefined), {
      compare: false,
      reason: 'baseline-is-this-version',
    });
    assert.deepEqual(decideBaselineComparison(pinned, v3, version('bbbb', ['r2'])), {
      compare: true,
      before: {
        version: 'base1',
        recordedAt: pinned.startedAt,
        recordings: [{ pod: 'web-a', recordingId: 'base1' }],
        samples: 0,
      },
    });
    assert.equal(decideBaselineComparison(pinned, v3, undefined).compare, true, 'the first version too');
  });

  it('never deletes the pinned recording when its version falls off the kept list', () => {
    const pinned = { recordingId: 'r1', pod: 'web-0', startedAt: NOW.toISOString() };
    const kept = [version('dddd', ['r4']), version('cccc', ['r3']), version('bbbb', ['r2', 'r0'])];
    const dropped = [version('aaaa', ['r1', 'r0', 'r9'])];
    const ids = (p?: typeof pinned) => recordingsToDelete(kept, dropped, p).map((r) => r.recordingId);
    assert.deepEqual(ids(), ['r1', 'r9'], 'not r0, which a kept version shares');
    assert.deepEqual(ids(pinned), ['r9']);
  });

  it('an unchanged rollout that the baseline flags: one ProfileRegressed Event naming both, its own flag count', () => {
    const previous = version('bbbb', ['r2']);
    const current = version('cccc', ['r3']);
    const base = version('base1', ['base1']);
    const vsPrevious = describeComparison(
      previous,
      current,
      compareProfiles(stacks(1501), stacks(1511)),
      NOW,
    );
    const vsBaseline = describeBaselineComparison(
      base,
      current,
      compareProfiles(stacks(501), stacks(1511)),
      NOW,
    );
    assert.equal(vsPrevious.against, 'previous');
    assert.equal(vsPrevious.verdict, 'unchanged');
    assert.equal(vsBaseline.against, 'baseline');
    assert.equal(vsBaseline.from, 'base1');
    assert.equal(vsBaseline.verdict, 'regressed');
    assert.equal(vsBaseline.links.ui, '/compare/base1/r3');

    const events = comparisonEvents('Deployment shop/web', [vsPrevious, vsBaseline]);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.reason, 'ProfileRegressed');
    assert.equal(events[0].type, 'Warning');
    assert.match(
      events[0].message,
      /^Deployment shop\/web version bbbb → cccc \(self share of all samples\): unchanged; against the baseline base1: more expensive: furnace_light \d+\.\d% → \d+\.\d%; compare: \/compare\/base1\/r3$/,
    );

    const older = { ...vsPrevious, to: 'bbbb', from: 'aaaa', verdict: 'regressed' as const };
    const status = withComparisons(
      {
        phase: 'Succeeded',
        watch: { comparisons: [older], flags: { regressed: 1, improved: 0 } },
      },
      [vsPrevious, vsBaseline],
      { workload: 'Deployment shop/web', generation: 1 },
      NOW,
    );
    assert.deepEqual(
      status.watch?.comparisons?.map((c) => [c.against, c.from, c.to, c.verdict]),
      [
        ['previous', 'bbbb', 'cccc', 'unchanged'],
        ['baseline', 'base1', 'cccc', 'regressed'],
        ['previous', 'aaaa', 'bbbb', 'regressed'],
      ],
    );
    assert.deepEqual(status.watch?.flags, { regressed: 1, improved: 0 }, 'with the version before');
    assert.deepEqual(status.watch?.baselineFlags, { regressed: 1, improved: 0 }, 'with the baseline');
    const condition = status.conditions?.find((c) => c.type === 'ProfileRegressed');
    assert.equal(condition?.status, 'True');
    assert.equal(condition.reason, 'FunctionsMoreExpensive');
    assert.match(
      condition.message,
      /^Deployment shop\/web version cccc compared with bbbb: unchanged; against the baseline base1: furnace_light /,
    );
  });

  it('keeps the Event within 1 KiB without losing the baseline comparison to a long list of the other', () => {
    const long = (i: number) => ({
      name: `ns::Parser<${'T'.repeat(300)}>::parse_${i}`,
      direction: 'regressed' as const,
      before: 1,
      after: 9,
    });
    const base = describeBaselineComparison(
      version('base1', ['base1']),
      version('cccc', ['r3']),
      compareProfiles(stacks(501), stacks(1511)),
      NOW,
    );
    const previous = {
      ...describeComparison(
        version('bbbb', ['r2']),
        version('cccc', ['r3']),
        compareProfiles(stacks(501), stacks(1511)),
        NOW,
      ),
      changes: [0, 1, 2, 3, 4].map(long),
    };
    const [event] = comparisonEvents('Deployment shop/web', [previous, base]);
    const message = event?.message ?? '';
    assert.ok([...message].length <= EVENT_MESSAGE_CHARS, `${[...message].length} characters`);
    assert.match(
      message,
      /parse_0 1\.0% → 9\.0%, ns::Parser<T+…; compare: \/compare\/r2\/r3; against the baseline/,
    );
    assert.match(
      message,
      /; against the baseline base1: more expensive: furnace_light .*; compare: \/compare\/base1\/r3$/,
    );
  });

  it('without a baseline the status has no baseline counts and the Event reads as before', () => {
    const vsPrevious = describeComparison(
      version('aaaa', ['r1']),
      version('bbbb', ['r2']),
      compareProfiles(stacks(501), stacks(1501)),
      NOW,
    );
    const status = withComparisons(
      { phase: 'Succeeded' },
      [vsPrevious],
      { workload: 'w', generation: 1 },
      NOW,
    );
    assert.deepEqual(status.watch?.flags, { regressed: 1, improved: 0 });
    assert.equal(status.watch?.baselineFlags, undefined);
    const [event] = comparisonEvents('w', [vsPrevious]);
    assert.match(
      event?.message ?? '',
      /^w version aaaa → bbbb \(self share of all samples\): more expensive: /,
    );
    assert.doesNotMatch(event?.message ?? '', /baseline/);
  });
});
