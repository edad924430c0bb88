import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { describeProfiler, describeSettings } from '../../../ui/src/pages/recording-settings.ts';
import { perfParams as perfParamsOf } from '../../harness/recording-status.ts';

const perfParams: CatalogEntry['params'] = perfParamsOf(10);

describe('recording summary: profiler and settings', () => {
  it('names the profiler that ran, that auto chose it, and perf for entries from before the choice', () => {
    assert.equal(describeProfiler({ params: perfParams }), 'perf');
    const pprof = {
      port: 6060,
      path: '/debug/pprof/heap',
      kind: 'heap' as const,
      scheme: 'https' as const,
      tls: { secret: 'etcd' },
    };
    const auto = { profiler: 'pprof' as const, params: { ...perfParams, profiler: 'auto' as const, pprof } };
    assert.equal(describeProfiler(auto), 'pprof (chosen by auto)');
    assert.equal(describeSettings(auto), 'pprof heap from https://…:6060/debug/pprof/heap with secret etcd');
    assert.equal(
      describeSettings({ profiler: 'perf', params: { ...perfParams, callGraph: 'fp', pid: 7 } }),
      '99 Hz cpu-clock, call graph fp, symbols from proc, PID 7',
    );
  });

  it('says which call graph auto chose and why; an entry from before the choice says auto', () => {
    const chosen = {
      profiler: 'perf' as const,
      params: { ...perfParams, callGraph: 'auto' as const },
      callGraphUsed: 'dwarf' as const,
      callGraphReason: 'nginx has no frame pointers',
    };
    assert.equal(
      describeSettings(chosen),
      '99 Hz cpu-clock, call graph dwarf (chosen by auto: nginx has no frame pointers), symbols from proc',
    );
    const { callGraphUsed: _, callGraphReason: __, ...before } = chosen;
    assert.match(describeSettings(before), /call graph auto,/);
    const asked = {
      ...chosen,
      params: { ...perfParams, callGraph: 'dwarf' as const },
      callGraphReason: 'as requested',
    };
    assert.match(describeSettings(asked), /call graph dwarf,/);
  });

  it('describes a bpftrace recording by its program, not by perf settings that did not apply', () => {
    const params = {
      ...perfParams,
      profiler: 'bpftrace' as const,
      processPattern: 'nginx',
      bpftrace: { program: 'profile:hz:99 {\n  @[ustack] = count();\n}\n' },
    };
    assert.equal(describeProfiler({ profiler: 'bpftrace', params }), 'bpftrace');
    assert.equal(
      describeSettings({ profiler: 'bpftrace', params }),
      'bpftrace program of 3 lines, processes matching nginx',
    );
  });

  it('describes an offcpu or wall recording by what the scheduler recorder measured', () => {
    const params = { ...perfParams, profile: 'offcpu' as const, pid: 42 };
    assert.equal(
      describeProfiler({ profiler: 'sched', params }),
      "sched (Furnace's scheduler recorder), profile offcpu",
    );
    assert.equal(
      describeSettings({ profiler: 'sched', params }),
      'time blocked off the CPU, in nanoseconds, by kernel and user stack, PID 42',
    );
    assert.equal(
      describeSettings({ profiler: 'sched', params: { ...params, profile: 'wall' as const } }),
      '99 Hz on-CPU samples and time off the CPU, in nanoseconds, PID 42',
    );
  });
});
