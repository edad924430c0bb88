// A compaction of continuous windows killed midway (SIGKILL, as an OOM kill or a node loss would) loses
// nothing: the windows it merged are either gone with their coarse window written, or still there
// (beside it, as duplicates the query counts once); the range's samples and stacks are the same before,
// after the kill and after the next pass, which leaves only coarse windows.
import assert from 'node:assert/strict';
import { watch } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compactWindows } from '../../server/continuous/compact-windows.ts';
import { mergeWindows } from '../../server/continuous/merge-windows.ts';
import { filesystemWindows } from '../../server/continuous/window-store.ts';
import { BASE, HOUR, listWindows, writeWindows } from '../harness/continuous-windows.ts';
import { startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { workDir } from '../harness/temp-dirs.ts';

const PODS = ['web-1', 'web-2', 'web-3', 'web-4'];
const RANGE = { namespace: 'shop', from: BASE, to: BASE + 2 * HOUR };
/** Late enough that the whole hour is merged into 1-minute windows, too early for 10-minute ones. */
const NOW = BASE + 3 * HOUR;

/** Resolves once a 1-minute window is written in `dir` (the child is then between merges). */
function firstCoarseWindow(dir: string): { written: Promise<void>; close(): void } {
  let close = (): void => {};
  const written = new Promise<void>((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (name?.endsWith('~r60.folded')) resolve();
    });
    close = () => watcher.close();
  });
  return { written, close };
}

describe('a compaction of continuous windows killed midway', () => {
  it('loses no window and no sample, and the next pass finishes it', async (t) => {
    const dataDir = await workDir(t, 'compaction-killed');
    const windows = filesystemWindows(dataDir);
    // An hour of 15 s windows of four pods: 240 minutes to merge, so the kill lands midway.
    const samples = await writeWindows(windows, PODS, BASE, 240);
    const before = await mergeWindows(windows, RANGE);
    assert.equal(before.samples, samples);

    const coarse = firstCoarseWindow(join(dataDir, 'continuous', 'shop', '2026112010'));
    t.after(() => coarse.close());
    const child = startProcess(t, process.execPath, [
      '--import',
      'tsx',
      join(PROJECT_ROOT, 'test/harness/compact-windows-child.ts'),
      dataDir,
      String(NOW),
    ]);
    const first = await Promise.race([
      coarse.written.then(() => 'written'),
      child.exited.then(() => 'exited'),
    ]);
    assert.equal(first, 'written', `the child wrote no 1-minute window:\n${child.output()}`);
    child.child.kill('SIGKILL');
    assert.equal(await child.exited, null, 'killed, not finished');

    const left = await listWindows(windows, BASE, BASE + 2 * HOUR);
    const fine = left.filter((w) => w.resolution === undefined).length;
    assert.ok(fine > 0, 'the kill came before the pass ended');
    const afterKill = await mergeWindows(windows, RANGE);
    assert.equal(afterKill.samples, samples, 'no sample lost or counted twice after the kill');
    assert.deepEqual(afterKill.stacks, before.stacks);

    await compactWindows({
      windows,
      levels: [
        { resolution: 60, afterMs: HOUR },
        { resolution: 600, afterMs: 24 * HOUR },
      ],
      frequency: 19,
      now: NOW,
    });
    const done = await listWindows(windows, BASE, BASE + 2 * HOUR);
    assert.equal(done.length, PODS.length * 60, 'one 1-minute window per pod and minute, no duplicate');
    assert.ok(done.every((w) => w.resolution === 60));
    const after = await mergeWindows(windows, RANGE);
    assert.equal(after.samples, samples);
    assert.deepEqual(after.stacks, before.stacks);
  });
});
