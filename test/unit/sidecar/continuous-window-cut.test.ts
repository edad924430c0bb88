// The continuous pair's output cut into windows by the samples' own times (window-cut.ts): perf script
// text as it prints it with `-k CLOCK_REALTIME` (wall-clock seconds), cut into chunks anywhere. A window
// boundary, a window closed by a later sample or by its grace, late samples within the grace and after
// it, and the end of a pair mid-window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleTimeMs, WindowCutter, type CutWindow } from '../../../sidecar/continuous/window-cut.ts';

const ORIGIN = 1_795_508_000_000;
const LENGTH = 15_000;
const GRACE = 10_000;

/** One sample as perf script prints it, at `ms` wall-clock milliseconds. */
function sample(ms: number, leaf: string, pid = 4242): string {
  const seconds = (ms / 1000).toFixed(6);
  return (
    `furnace-countin  ${pid}/${pid}  ${seconds}: cpu-clock:ppp: \n` +
    `\t            1244 ${leaf} (/bin/prog)\n` +
    `\t            1115 main (/bin/prog)\n\n`
  );
}

/** Pushes text in chunks of `size` bytes, cut anywhere (inside lines and samples). */
function pushIn(cutter: WindowCutter, text: string, size = 7): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) cutter.push(bytes.subarray(at, at + size));
}

function shape(windows: CutWindow[]): { start: number; end: number; stacks: [string, number][] }[] {
  return windows.map((w) => ({ start: w.start - ORIGIN, end: w.end - ORIGIN, stacks: [...w.stacks] }));
}

const cutter = () => new WindowCutter({ origin: ORIGIN, lengthMs: LENGTH, graceMs: GRACE });

describe('continuous windows cut by sample time', () => {
  it('reads the wall-clock time of a sample header', () => {
    assert.equal(
      sampleTimeMs('furnace-countin  7538/7538  1795508267.885216: cpu-clock:ppp: '),
      1795508267885.216,
    );
    assert.equal(sampleTimeMs('a comm 12 with spaces  7/7  1795508267.5: cpu-clock: '), 1795508267500);
    assert.equal(sampleTimeMs('no time here'), undefined);
  });

  it('puts samples on each side of a boundary in their own windows, closed by a later sample', () => {
    const cut = cutter();
    pushIn(cut, sample(ORIGIN + 100, 'a') + sample(ORIGIN + LENGTH - 1, 'a') + sample(ORIGIN + LENGTH, 'b'));
    assert.deepEqual(shape(cut.takeClosed()), [
      { start: 0, end: LENGTH, stacks: [['furnace-countin-4242;main;a', 2]] },
    ]);
    cut.closeDue(ORIGIN + 2 * LENGTH + GRACE - 1);
    assert.deepEqual(cut.takeClosed(), [], 'the second window waits for its grace');
    cut.closeDue(ORIGIN + 2 * LENGTH + GRACE);
    assert.deepEqual(shape(cut.takeClosed()), [
      { start: LENGTH, end: 2 * LENGTH, stacks: [['furnace-countin-4242;main;b', 1]] },
    ]);
  });

  it('counts a sample that arrives within the grace in its window, and one after it as late', () => {
    const cut = cutter();
    pushIn(cut, sample(ORIGIN + 1000, 'a'));
    cut.closeDue(ORIGIN + LENGTH + GRACE - 1);
    pushIn(cut, sample(ORIGIN + LENGTH - 5, 'a'), 3);
    assert.deepEqual(cut.takeClosed(), [], 'open until its grace is over');
    cut.closeDue(ORIGIN + LENGTH + GRACE);
    assert.deepEqual(shape(cut.takeClosed()), [
      { start: 0, end: LENGTH, stacks: [['furnace-countin-4242;main;a', 2]] },
    ]);
    pushIn(cut, sample(ORIGIN + 2000, 'a') + sample(ORIGIN + LENGTH + 1, 'b'));
    assert.equal(cut.takeLate(), 1, 'the sample of the closed window is counted, not sent');
    assert.equal(cut.takeLate(), 0);
    cut.finish(ORIGIN + LENGTH + 4000);
    assert.deepEqual(shape(cut.takeClosed()), [
      { start: LENGTH, end: LENGTH + 4000, stacks: [['furnace-countin-4242;main;b', 1]] },
    ]);
  });

  it('closes every open window when the pair ends mid-window, the last one where it ended', () => {
    const cut = cutter();
    // A sample past window 0's end closes it at once (perf script prints samples in time order).
    pushIn(cut, sample(ORIGIN + 14_000, 'a', 1) + sample(ORIGIN + 16_000, 'b', 2), 5);
    assert.deepEqual(shape(cut.takeClosed()), [
      { start: 0, end: LENGTH, stacks: [['furnace-countin-1;main;a', 1]] },
    ]);
    // The text ends without its blank line: perf script was killed while printing.
    pushIn(cut, sample(ORIGIN + 17_000, 'c', 2).trimEnd());
    cut.finish(ORIGIN + 18_000);
    assert.deepEqual(shape(cut.takeClosed()), [
      {
        start: LENGTH,
        end: 18_000,
        stacks: [
          ['furnace-countin-2;main;b', 1],
          ['furnace-countin-2;main;c', 1],
        ],
      },
    ]);
    assert.equal(cut.takeUntimed(), 0);
  });

  it('skips empty windows and leaves a sample without a time out, counted', () => {
    const cut = cutter();
    pushIn(cut, 'garbage line\n\n' + sample(ORIGIN + 3 * LENGTH + 1, 'd'));
    assert.equal(cut.takeUntimed(), 1);
    cut.finish(ORIGIN + 5 * LENGTH);
    assert.deepEqual(shape(cut.takeClosed()), [
      { start: 3 * LENGTH, end: 4 * LENGTH, stacks: [['furnace-countin-4242;main;d', 1]] },
    ]);
  });
});
