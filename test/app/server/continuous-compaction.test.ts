// Compaction and retention by size of continuous profiling's windows on what they run on: files under the
// data directory and a real S3 server. Older windows become 1-minute, then 10-minute windows per pod and
// container; a range query gives exactly the same totals before and after, and over fine and coarse
// windows at once. A pass stopped between writing a coarse window and removing its sources leaves
// duplicates that the query counts once and the next pass removes.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { compactWindows, type CompactionLevel } from '../../../server/continuous/compact-windows.ts';
import { removeWindowsOverSize } from '../../../server/continuous/continuous-retention.ts';
import { mergeWindows } from '../../../server/continuous/merge-windows.ts';
import { windowKey } from '../../../server/continuous/window-keys.ts';
import { formatFolded } from '../../../core/stacks/folded.ts';
import { filesystemStore, s3StoreForFile } from '../../harness/catalog-stores.ts';
import {
  BASE,
  HOUR,
  listWindows,
  windowMeta,
  windowsOn,
  writeWindows,
} from '../../harness/continuous-windows.ts';
import { workDir } from '../../harness/temp-dirs.ts';

const s3 = s3StoreForFile();
const LEVELS: CompactionLevel[] = [
  { resolution: 60, afterMs: HOUR },
  { resolution: 600, afterMs: 24 * HOUR },
];
const PODS = ['web-1', 'web-2'];
const RANGE = { namespace: 'shop', from: BASE, to: BASE + 3 * HOUR };

for (const under of [filesystemStore, s3]) {
  describe(`continuous compaction on ${under.name}`, () => {
    it('merges older windows into 1-minute, then 10-minute windows with exact totals', async (t) => {
      const windows = windowsOn(under, await workDir(t, `compact-${under.name}`));
      // 20 minutes of 15 s windows of two pods: 80 windows per pod.
      const samples = await writeWindows(windows, PODS, BASE, 80);
      const before = await mergeWindows(windows, RANGE);
      assert.equal(before.samples, samples);

      // An hour and 15 minutes later: the minutes that ended more than an hour (and the longest window)
      // ago are merged, the last ten are not.
      const first = await compactWindows({
        windows,
        levels: LEVELS,
        frequency: 19,
        now: BASE + HOUR + 15 * 60_000,
      });
      assert.equal(first.duplicates, 0);
      const afterFirst = await listWindows(windows, BASE, BASE + 3 * HOUR);
      const coarse = afterFirst.filter((w) => w.resolution === 60);
      const fine = afterFirst.filter((w) => w.resolution === undefined);
      assert.equal(coarse.length, 2 * 10, 'ten 1-minute windows per pod');
      assert.equal(fine.length, 2 * 40, 'beside the last ten minutes’ 15 s windows');
      assert.equal(first.merged, 4 * coarse.length, 'four 15 s windows per minute');
      const mixed = await mergeWindows(windows, RANGE);
      assert.equal(mixed.samples, samples, 'the range over fine and coarse windows has the same total');
      assert.deepEqual(mixed.stacks, before.stacks, 'and the same stacks');
      assert.ok(
        await windows.getProfile(windowKey(coarse[0] ?? assert.fail())),
        'a coarse window has its pprof',
      );

      // Two days later everything is in 10-minute windows: 2 per pod.
      await compactWindows({ windows, levels: LEVELS, frequency: 19, now: BASE + 50 * HOUR });
      const tenMinutes = await listWindows(windows, BASE, BASE + 3 * HOUR);
      assert.deepEqual(new Set(tenMinutes.map((w) => w.resolution)), new Set([600]));
      assert.equal(tenMinutes.length, 2 * 2);
      const after = await mergeWindows(windows, RANGE);
      assert.equal(after.samples, samples);
      assert.deepEqual(after.stacks, before.stacks);
      const onePod = await mergeWindows(windows, { ...RANGE, pod: 'web-1' });
      assert.equal(onePod.windows, 2, 'pods are kept apart');
      const pprof = await windows.getProfile(windowKey(tenMinutes[0] ?? assert.fail()));
      assert.ok(gunzipSync(pprof ?? assert.fail('no pprof')).length > 0);
    });

    it('counts a coarse window’s sources once when a pass stopped before removing them', async (t) => {
      const windows = windowsOn(under, await workDir(t, `dup-${under.name}`));
      const samples = await writeWindows(windows, ['web-1'], BASE, 4);
      const merged = await mergeWindows(windows, RANGE);
      // What a pass does up to its kill: the coarse window is written, its sources still there.
      const target = { ...windowMeta('web-1', BASE), end: BASE + 60_000, resolution: 60 };
      await windows.put(windowKey(target), formatFolded(merged.stacks));
      const both = await mergeWindows(windows, RANGE);
      assert.equal(both.windows, 1, 'the query skips the merged sources');
      assert.equal(both.samples, samples);
      const pass = await compactWindows({ windows, levels: LEVELS, frequency: 19, now: BASE + 3 * HOUR });
      assert.equal(pass.duplicates, 4, 'the next pass removes them');
      assert.equal((await listWindows(windows, BASE, BASE + HOUR)).length, 1);
      assert.equal((await mergeWindows(windows, RANGE)).samples, samples);
    });

    it('removes a namespace’s oldest windows beyond its size limit', async (t) => {
      const windows = windowsOn(under, await workDir(t, `size-${under.name}`));
      await writeWindows(windows, ['web-1'], BASE, 20);
      await writeWindows(windows, ['web-1'], BASE + HOUR, 20);
      const sizes: number[] = [];
      for (const hour of ['2026112010', '2026112011'])
        for await (const w of windows.listSized(`shop/${hour}/`)) sizes.push(w.bytes);
      const each = Math.max(...sizes);
      assert.ok(each > 0);
      // Room for 25 windows: the 15 oldest go, all of the first hour's but its last 5.
      const removed = await removeWindowsOverSize(windows, each * 25);
      assert.equal(removed.get('shop'), 15);
      const left = await listWindows(windows, BASE, BASE + 3 * HOUR);
      assert.equal(left.length, 25);
      assert.equal(left[0]?.start, BASE + 15 * 15_000, 'the oldest went first');
      assert.equal((await removeWindowsOverSize(windows, each * 25)).size, 0, 'nothing more to remove');
    });
  });
}
