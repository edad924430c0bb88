// bpftrace's printed maps → folded stacks: stack-keyed count maps only, root first, offsets dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BpftraceMapFolder, foldBpftraceMaps } from '../../../core/bpftrace/maps.ts';
import { formatFolded } from '../../../core/stacks/folded.ts';

/** Output of `profile:hz:99 { @[ustack] = count(); @h = hist(...); @s[comm, pid] = sum(1); }` (bpftrace 0.17). */
const USTACK_OUTPUT = `Attaching 1 probe...


@[
    furnace_heavy+21
    main+20
    __libc_start_call_main+122
]: 1
@[
    furnace_heavy+48
    main+20
    __libc_start_call_main+122
]: 30
@[
    furnace_light+9
    main+15
    __libc_start_call_main+122
]: 4
@h: 
[0]                    2 |@@@                                                 |
[512, 1K)             27 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

@s[hot, 21742]: 62
`;

/** `@[comm, ustack(3), kstack(2)] = count(); @x[ustack(2)] = hist(5);` */
const MIXED_OUTPUT = `@[hot, 
    furnace_heavy+48
    main+20
    __libc_start_call_main+122
, 
    pvm_irq_enable+25
    __raw_callee_save_pvm_irq_enable+17
]: 1
@[hot, 
    furnace_heavy+28
    main+20
    __libc_start_call_main+122
, ]: 2
@x[
    furnace_heavy+28
    main+20
]: 
[4, 8)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

`;

describe('foldBpftraceMaps', () => {
  it('folds a ustack count map root first, adding up frames that differ only in their offsets', () => {
    assert.equal(
      formatFolded(foldBpftraceMaps(USTACK_OUTPUT)),
      [
        '__libc_start_call_main;main;furnace_heavy 31',
        '__libc_start_call_main;main;furnace_light 4',
        '',
      ].join('\n'),
    );
  });

  it('puts other key parts first and a later stack below an earlier one; histograms are not counts', () => {
    assert.deepEqual(
      [...foldBpftraceMaps(MIXED_OUTPUT)],
      [
        ['hot;__raw_callee_save_pvm_irq_enable;pvm_irq_enable;__libc_start_call_main;main;furnace_heavy', 1],
        ['hot;__libc_start_call_main;main;furnace_heavy', 2],
      ],
    );
  });

  it('names the map at the root when several maps hold stacks, and keys without frames', () => {
    const text = '@a[\n    f+1\n]: 2\n@b[\n    g\n]: 3\n@b[]: 4\n';
    assert.deepEqual(Object.fromEntries(foldBpftraceMaps(text)), {
      '@a;f': 2,
      '@b;g': 3,
      '@b;[no stack]': 4,
    });
  });

  it('gives nothing for output without stack-keyed maps, and keeps ; out of frame names', () => {
    assert.equal(foldBpftraceMaps('@[bash]: 12\n@x: 3\nhello\n').size, 0);
    const folder = new BpftraceMapFolder();
    for (const line of ['@[', '    a;b+3', ', c;d]: 5']) folder.push(line);
    assert.deepEqual(Object.fromEntries(folder.result()), { 'c:d;a:b': 5 });
  });
});
