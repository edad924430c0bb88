import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareProfiles } from '../../../core/compare/regression.ts';
import type { WatchVersion } from '../../../core/crd/recording-watch.ts';
import {
  comparisonEvents,
  describeComparison,
  withRegressedCondition,
} from '../../../operator/recording/watch/version-comparison.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const version = (name: string, ids: string[]): WatchVersion => ({
  version: name,
  recordedAt: NOW.toISOString(),
  recordings: ids.map((recordingId, i) => ({ pod: `web-${i}`, recordingId })),
  samples: 4000,
});
const before = version('aaaa', ['r1']);
const after = version('bbbb', ['r2', 'r3']);

/**
 * Folded stacks of main calling light and heavy `light` and `heavy` times, and steady helpers; with a stack
 * sampled once (the comparison takes the counts' greatest common divisor for one sample).
 */
const stacks = (light: number, heavy: number) =>
  new Map([
    ['main;furnace_light', light],
    ['main;furnace_heavy', heavy],
    ['main;parse', 401],
    ['main;render', 299],
    ['main;io', 203],
    ['main;start', 1],
  ]);

describe('a comparison of two versions, as the watch tells it', () => {
  it('names the function that got more expensive with its shares, and links the UI comparison and both graphs', () => {
    const comparison = describeComparison(
      before,
      after,
      compareProfiles(stacks(501, 1499), stacks(1501, 1499)),
      NOW,
    );
    assert.equal(comparison.verdict, 'regressed');
    const light = comparison.changes.find((c) => c.name === 'furnace_light');
    assert.equal(light?.direction, 'regressed');
    assert.equal(light.before, 17.25);
    assert.equal(light.after, 38.45);
    assert.equal(comparison.links.ui, '/compare/r1/r2');
    assert.match(
      comparison.links.after.svg,
      /^\/api\/v1\/recordings\/merged\/artifacts\/flamegraph\.svg\?id=r2&id=r3$/,
    );
    assert.equal(comparison.links.before.svg, '/api/v1/recordings/r1/artifacts/flamegraph.svg');
    assert.deepEqual(comparison.samples, { before: 2904, after: 3904 });

    const [event, ...rest] = comparisonEvents('Deployment shop/web', [comparison]);
    assert.deepEqual(rest, []);
    assert.equal(event?.reason, 'ProfileRegressed');
    assert.equal(event.type, 'Warning');
    assert.match(
      event.message,
      /^Deployment shop\/web version aaaa → bbbb .*more expensive: furnace_light 17\.3% → 38\.5%/,
    );
    assert.match(event.message, /compare: \/compare\/r1\/r2$/);

    const status = withRegressedCondition(
      { phase: 'Succeeded' },
      { workload: 'Deployment shop/web', generation: 2 },
      [comparison],
      NOW,
    );
    const condition = status.conditions?.find((c) => c.type === 'ProfileRegressed');
    assert.equal(condition?.status, 'True');
    assert.equal(condition.reason, 'FunctionsMoreExpensive');
    assert.match(condition.message, /furnace_light 17\.3% → 38\.5%/);
  });

  it('the way back is an improvement: a Normal ProfileImproved Event and the condition False', () => {
    const comparison = describeComparison(
      after,
      before,
      compareProfiles(stacks(1501, 1499), stacks(501, 1499)),
      NOW,
    );
    assert.equal(comparison.verdict, 'improved');
    const events = comparisonEvents('Deployment shop/web', [comparison]);
    assert.deepEqual(
      events.map((e) => [e.reason, e.type]),
      [['ProfileImproved', 'Normal']],
    );
    const status = withRegressedCondition(
      { phase: 'Succeeded' },
      { workload: 'w', generation: 1 },
      [comparison],
      NOW,
    );
    assert.equal(status.conditions?.[0]?.status, 'False');
    assert.equal(status.conditions[0].reason, 'Improved');
  });

  it('the same program twice tells nothing; too few samples is not comparable, with the reason', () => {
    const same = describeComparison(
      before,
      after,
      compareProfiles(stacks(501, 1499), stacks(511, 1489)),
      NOW,
    );
    assert.equal(same.verdict, 'unchanged');
    assert.deepEqual(comparisonEvents('w', [same]), []);
    const small = new Map([['main;furnace_light', 11]]);
    const few = describeComparison(before, after, compareProfiles(small, small), NOW);
    assert.equal(few.verdict, 'not-comparable');
    assert.deepEqual(few.reasons, ['too-few-samples-before', 'too-few-samples-after']);
    assert.deepEqual(comparisonEvents('w', [few]), []);
  });
});
