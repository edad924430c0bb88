// Which graphs gained names when a recording was symbolized again (ui/src/symbols/naming-change.ts), and the
// warning that says how symbolizing again ended (core/contract/resymbolize.ts), as the page and the CLI
// read it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isResymbolizable,
  resymbolizedWarning,
  resymbolizeFailedWarning,
  resymbolizeOutcome,
} from '../../../core/contract/resymbolize.ts';
import { decodeFlameTree, encodeFlameTree } from '../../../core/render/flame-tree-compact.ts';
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { NAMELESS_FRAME } from '../../../core/stacks/unnamed-frame.ts';
import { formatShare, graphNamings, namingChanges } from '../../../ui/src/symbols/naming-change.ts';

const tree = (lines: string[]): FlameNode => buildFlameTree(parseFolded(lines.join('\n')));
const compact = (root: FlameNode): FlameNode => decodeFlameTree(encodeFlameTree(root));

// A stripped program before and after: every frame of its own binary was `[hot]`; a second process
// (libc named from the start, one nameless kernel frame) is the same in both.
const BEFORE = tree([
  'hot;[libc.so.6];[hot];[hot] 90',
  'hot;[libc.so.6];[hot];[hot <0x4011a0>] 6',
  'idle;__libc_start_call_main;main;poll;[unknown]_[k] 4',
]);
const AFTER = tree([
  'hot;__libc_start_call_main;main;furnace_heavy 80',
  'hot;__libc_start_call_main;main;furnace_heavy;asm_sysvec_apic_timer_interrupt_[k] 10',
  'hot;__libc_start_call_main;main;furnace_light 6',
  'idle;__libc_start_call_main;main;poll;[unknown]_[k] 4',
]);

describe('naming change of a recording symbolized again', () => {
  it('counts samples with a nameless frame and the hot path per process graph, on either kind of tree', () => {
    for (const root of [BEFORE, compact(BEFORE)]) {
      assert.deepEqual(graphNamings(root, true), [
        { graph: 'hot', samples: 96, unnamed: 96, hotPath: { frames: 3, unnamed: 3, leaf: '[hot]' } },
        {
          graph: 'idle',
          samples: 4,
          unnamed: 4,
          hotPath: { frames: 4, unnamed: 1, leaf: '[unknown]_[k]' },
        },
      ]);
    }
    const [hot] = graphNamings(compact(AFTER), true);
    assert.deepEqual(hot, {
      graph: 'hot',
      samples: 96,
      unnamed: 0,
      hotPath: { frames: 3, unnamed: 0, leaf: 'furnace_heavy' },
    });
  });

  it('ends the hot path where no child holds half of the samples, not in an interrupt a few samples met', () => {
    const [hot] = graphNamings(tree(['p;main;f 6', 'p;main;f;irq_[k] 4', 'p;main;g 5']), true);
    assert.deepEqual(hot?.hotPath, { frames: 2, unnamed: 0, leaf: 'f' });
    const [split] = graphNamings(tree(['p;a 1', 'p;b 1', 'p;c 1']), true);
    assert.deepEqual(split?.hotPath, { frames: 0, unnamed: 0, leaf: '' });
  });

  it('lists the graphs that gained names first, then those that did not, and one graph without process frames', () => {
    const changes = namingChanges(compact(BEFORE), compact(AFTER), true);
    assert.deepEqual(
      changes.map((c) => [c.graph, c.gained]),
      [
        ['hot', true],
        ['idle', false],
      ],
    );
    const [whole] = namingChanges(BEFORE, AFTER, false);
    assert.equal(whole?.graph, 'all');
    assert.equal(whole?.gained, true);
    assert.equal(whole?.before?.unnamed, 100);
    assert.equal(whole?.after?.unnamed, 4);
    const same = namingChanges(BEFORE, BEFORE, true);
    assert.ok(same.every((c) => !c.gained));
  });

  it('a graph only in one tree is listed and has not gained names', () => {
    const changes = namingChanges(BEFORE, tree(['hot;main;f 5', 'new;main 1']), true);
    const added = changes.find((c) => c.graph === 'new');
    assert.equal(added?.before, undefined);
    assert.equal(added?.gained, false);
    assert.equal(changes.find((c) => c.graph === 'idle')?.after, undefined);
  });

  it('says shares in whole percent without rounding a little to nothing or nearly all to all', () => {
    assert.equal(formatShare(96, 96), '100 %');
    assert.equal(formatShare(0, 96), '0 %');
    assert.equal(formatShare(0, 0), '0 %');
    assert.equal(formatShare(1, 1000), '<1 %');
    assert.equal(formatShare(999, 1000), '>99 %');
    assert.equal(formatShare(1, 3), '33 %');
  });

  it('takes as nameless the collapser’s [dso], [dso <address>] and bare addresses, never a named function', () => {
    for (const name of ['[unknown]', '[hot]', '[libc.so.6 <0x7f00>]', '0x4011a0', '[perf-42.map]_[j]'])
      assert.ok(NAMELESS_FRAME.test(name), name);
    for (const name of ['main', 'furnace_heavy', 'std::vector<int>::at', 'do_syscall_64_[k]', '[x] y'])
      assert.ok(!NAMELESS_FRAME.test(name), name);
  });
});

describe('the outcome of symbolizing again, from the recording’s warnings', () => {
  it('is the first outcome warning that was not there when it was asked', () => {
    const old = resymbolizedWarning('2026-11-26T10:00:00.000Z', []);
    const before = ['perf.data was not kept', old];
    assert.equal(resymbolizeOutcome(before, before), undefined);
    const done = resymbolizedWarning('2026-11-26T11:00:00.000Z', ['symbols of hot from the uploads']);
    assert.deepEqual(resymbolizeOutcome(before, [...before, done]), { ok: true, message: done });
    // The list's cap dropped the oldest warnings: the new outcome is still found, the old one not taken.
    assert.deepEqual(resymbolizeOutcome(before, [old, done]), { ok: true, message: done });
    const failed = resymbolizeFailedWarning('perf.data is missing');
    assert.deepEqual(resymbolizeOutcome(before, [...before, failed]), {
      ok: false,
      message: 'symbolizing again failed (the graphs are as they were): perf.data is missing',
    });
  });

  it('a finished perf recording that kept perf.data can be symbolized again; others not', () => {
    const done = { state: 'done' as const, profiler: 'perf' as const, artifacts: ['perf.data' as const] };
    assert.equal(isResymbolizable(done), true);
    assert.equal(isResymbolizable({ ...done, profiler: undefined }), true);
    assert.equal(isResymbolizable({ ...done, state: 'processing' }), false);
    assert.equal(isResymbolizable({ ...done, profiler: 'pprof' }), false);
    assert.equal(isResymbolizable({ ...done, artifacts: [] }), false);
  });
});
