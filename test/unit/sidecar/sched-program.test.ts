// Furnace's scheduler program (profiles offcpu and wall): fixed text, one probe per switch with the scope
// filter first in the test that keeps a thread, numbers only filled in; the recorder that runs it is chosen
// by the profile type, and a recorder without it refuses the type; a full map of stacks becomes a warning.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BpftraceMapFolder } from '../../../core/bpftrace/maps.ts';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { parseBpftraceProgram } from '../../../core/bpftrace/program.ts';
import { classifyAttachPoint } from '../../../core/bpftrace/scope.ts';
import { profilerFor } from '../../../sidecar/profilers/profiler-set.ts';
import type { Profiler } from '../../../sidecar/profilers/profiler.ts';
import { schedProgram } from '../../../sidecar/profilers/sched/sched-program.ts';
import { boundWarning } from '../../../sidecar/profilers/sched/sched-profiler.ts';
import { expectedError } from '../../harness/expected-error.ts';

const SCOPE = { pidNamespaces: [4026532183], pids: [] };

describe('the scheduler program', () => {
  it('offcpu: one probe keeps only blocked threads of the scope (filter first), counts times of at least the minimum', () => {
    const program = schedProgram({ profile: 'offcpu', scope: SCOPE, minBlockedNs: 10_000, frequency: 99 });
    const { probes } = parseBpftraceProgram(program, classifyAttachPoint);
    assert.deepEqual(
      probes.map((p) => p.attachPoints.map((a) => a.text).join(',')),
      ['tracepoint:sched:sched_switch', 'END'],
      'one BPF program per switch',
    );
    const keep =
      /^ {2}if \(\( (.*) \)\) \{ @away\[tid\] = \(nsecs, kstack, ustack\); \}$/m.exec(program)?.[1] ?? '';
    assert.equal(
      keep,
      'curtask->nsproxy->pid_ns_for_children->ns.inum == 4026532183 ) && ( (args->prev_state & 0xcf) != 0',
      'the scope filter first, then blocked states only (not preemption)',
    );
    assert.match(
      program,
      /if \(\$next != 0\) \{\n\s+\$left = @away\[\$next\];/,
      'no lookup for the idle task',
    );
    assert.match(
      program,
      /if \(\$ns >= 10000\) \{ @offcpu\[args->next_comm, \$left\.1, \$left\.2\] = sum\(\$ns\); \}/,
    );
    assert.doesNotMatch(program, /profile:hz/);
    assert.match(program, /^END \{ clear\(@away\); \}$/m);
  });

  it('wall: every switch away but an exit, and on-CPU samples worth one period each, in one map', () => {
    const program = schedProgram({
      profile: 'wall',
      scope: { pidNamespaces: [], pids: [42] },
      minBlockedNs: 1,
      frequency: 199,
    });
    assert.match(program, /if \(\( pid == 42 \) && \( \(args->prev_state & 0x30\) == 0 \)\)/);
    assert.match(
      program,
      /^profile:hz:199 \/ pid == 42 \/ \{ @wall\[comm, kstack, ustack\] = sum\(5025126\); \}$/m,
    );
  });

  it('takes only positive whole numbers and needs a scope', () => {
    assert.throws(() => schedProgram({ profile: 'offcpu', scope: SCOPE, minBlockedNs: 0.5, frequency: 99 }));
    assert.throws(() => schedProgram({ profile: 'wall', scope: SCOPE, minBlockedNs: 1, frequency: -1 }));
    assert.throws(() =>
      schedProgram({
        profile: 'offcpu',
        scope: { pidNamespaces: [], pids: [] },
        minBlockedNs: 1,
        frequency: 99,
      }),
    );
  });
});

describe('the recorder of a profile type', () => {
  const perf: Profiler = { plan: () => Promise.reject(new Error('perf')) };
  const sched: Profiler = { plan: () => Promise.reject(new Error('sched')) };

  it('is sched for offcpu and wall, the named profiler otherwise', () => {
    assert.equal(profilerFor({ perf, sched }, { profiler: 'perf', profile: 'offcpu' }), sched);
    assert.equal(profilerFor({ perf, sched }, { profiler: 'perf', profile: 'wall' }), sched);
    assert.equal(profilerFor({ perf, sched }, { profiler: 'perf', profile: 'cpu' }), perf);
    assert.equal(profilerFor({ perf, sched }, { profiler: 'perf' }), perf);
  });

  it('is refused with a 400 naming the field when the recorder has no scheduler recorder', () => {
    const error = expectedError(
      FurnaceError,
      () => profilerFor({ perf }, { profiler: 'perf', profile: 'offcpu' }),
      'refused',
    );
    assert.equal(error.status, 400);
    assert.equal(error.details.field, 'profile');
    assert.match(error.message, /profile offcpu is not available in this recorder \(it records cpu\)/);
  });
});

describe('the bound of the map of stacks', () => {
  const entry = (n: number) => [`@offcpu[app, `, `    f${n}+1`, `, ]: 10`];

  it('warns when bpftrace printed as many entries as the bound, not below', () => {
    const folder = new BpftraceMapFolder();
    for (const line of [1, 2].flatMap(entry)) folder.push(line);
    assert.equal(boundWarning('offcpu', 3, folder), undefined);
    for (const line of entry(3)) folder.push(line);
    assert.match(
      boundWarning('offcpu', 3, folder) ?? '',
      /offcpu map of stacks reached its bound of 3 entries/,
    );
    assert.equal(boundWarning('wall', 3, folder), undefined, 'the wall map is another');
  });
});
