// Continuous compaction's pure parts: the key of a coarse window, which windows a pass merges into which
// slot (only slots older than their level, per pod and container), which it takes for duplicates of a
// pass stopped midway, and the settings that say when (errors name the field and the limit).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planCompaction, type Listed } from '../../../server/continuous/compact-windows.ts';
import { readContinuousSettings } from '../../../server/continuous/continuous-settings.ts';
import {
  mergedInto,
  parseWindowKey,
  windowKey,
  type WindowMeta,
} from '../../../server/continuous/window-keys.ts';
import { createConfigReader } from '../../../server/config/config-reader.ts';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 10, 20, 10, 0, 0);
const LEVELS = [
  { resolution: 60, afterMs: HOUR },
  { resolution: 600, afterMs: 24 * HOUR },
];

function listed(pod: string, start: number, end = start + 15_000, resolution?: number): Listed {
  const meta: WindowMeta = {
    namespace: 'shop',
    node: 'node-1',
    pod,
    container: 'app',
    workload: 'Deployment/web',
    start,
    end,
    ...(resolution ? { resolution } : {}),
  };
  return { key: windowKey(meta), meta };
}

describe('a coarse window’s key', () => {
  it('ends in its resolution and reads back; anything else there is no window', () => {
    const coarse = listed('web-1', BASE, BASE + 60_000, 60);
    assert.match(coarse.key, /~Deployment~web~r60$/);
    assert.deepEqual(parseWindowKey(coarse.key), coarse.meta);
    assert.equal(parseWindowKey(`${coarse.key.slice(0, -4)}~pprof`), undefined);
    assert.equal(parseWindowKey(listed('web-1', BASE).key)?.resolution, undefined);
  });
});

describe('a compaction plan', () => {
  it('merges per pod and minute only what ended over an hour (and a longest window) ago', () => {
    const windows = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [
      listed('web-1', BASE + i * 15_000),
      listed('web-2', BASE + i * 15_000),
    ]);
    // The first minute's slot ended at BASE + 60 s; with a 300 s longest window, it is due an hour after.
    assert.equal(planCompaction(windows, LEVELS, BASE + HOUR + 6 * 60_000 - 1).merges.length, 0);
    const early = planCompaction(windows, LEVELS, BASE + HOUR + 6 * 60_000);
    assert.equal(early.merges.length, 2, 'the first minute of each pod');
    const late = planCompaction(windows, LEVELS, BASE + HOUR + 7 * 60_000);
    assert.equal(late.merges.length, 4);
    for (const merge of late.merges) {
      assert.equal(merge.sources.length, 4);
      assert.equal(merge.target.resolution, 60);
      assert.equal(merge.target.end - merge.target.start, 60_000);
    }
    assert.deepEqual(new Set(late.merges.map((m) => m.target.pod)), new Set(['web-1', 'web-2']));
  });

  it('goes straight to 10-minute windows when a day old, and merges 1-minute ones into them', () => {
    const windows = [listed('web-1', BASE), listed('web-1', BASE + 60_000, BASE + 120_000, 60)];
    const plan = planCompaction(windows, LEVELS, BASE + 25 * HOUR);
    assert.equal(plan.merges.length, 1);
    assert.equal(plan.merges[0]?.target.resolution, 600);
    assert.equal(plan.merges[0]?.sources.length, 2);
    assert.equal(
      planCompaction([listed('web-1', BASE, BASE + 600_000, 600)], LEVELS, BASE + 99 * HOUR).merges.length,
      0,
    );
  });

  it('takes windows a coarse window of their slot already holds for duplicates', () => {
    const coarse = listed('web-1', BASE, BASE + 60_000, 60);
    const inside = listed('web-1', BASE + 15_000);
    const nextSlot = listed('web-1', BASE + 60_000);
    const otherPod = listed('web-2', BASE + 15_000);
    assert.ok(mergedInto(inside.meta, coarse.meta));
    assert.ok(!mergedInto(nextSlot.meta, coarse.meta));
    assert.ok(!mergedInto(otherPod.meta, coarse.meta));
    const plan = planCompaction([coarse, inside, nextSlot, otherPod], LEVELS, BASE + 30 * 60_000);
    assert.deepEqual(plan.duplicates, [inside.key]);
    assert.equal(plan.merges.length, 0, 'nothing is old enough to merge yet');
  });
});

describe('the compaction and size settings', () => {
  const read = (continuous: Record<string, unknown>) =>
    readContinuousSettings(createConfigReader({ path: 'config.yaml', raw: { agent: { continuous } } }, {}));

  it('default to 1-minute windows after an hour, 10-minute after a day and 2 GiB per namespace', () => {
    const settings = read({});
    assert.equal(settings.minuteWindowsAfterHours, 1);
    assert.equal(settings.tenMinuteWindowsAfterHours, 24);
    assert.equal(settings.maxBytesPerNamespace, 2 * 1024 ** 3);
  });

  it('name the field and the limit when out of range', () => {
    assert.throws(
      () => read({ tenMinuteWindowsAfterHours: 2, minuteWindowsAfterHours: 3 }),
      (error: Error) => {
        assert.match(error.message, /agent\.continuous\.tenMinuteWindowsAfterHours/);
        assert.match(error.message, /at least agent\.continuous\.minuteWindowsAfterHours \(3\)/);
        return true;
      },
    );
    assert.throws(() => read({ maxBytesPerNamespace: 10 }), /agent\.continuous\.maxBytesPerNamespace/);
  });
});
