import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import type { CatalogEntry, RecordingStatus } from '../../../core/contract/recording.ts';
import { filterEntries, NO_FILTER, startersOf } from '../../../ui/src/history/history-filter.ts';
import { describeProgress, formatSeconds } from '../../../ui/src/record/progress-view.ts';
import {
  awaitedArtifact,
  fieldOfError,
  startBody,
  type FormValues,
} from '../../../ui/src/record/start-request.ts';
import { perfParams } from '../../harness/recording-status.ts';

const values: FormValues = {
  durationSeconds: '10',
  untilStopped: false,
  frequency: '99',
  processPattern: ' my-server ',
  pid: '',
  symbols: 'proc',
  callGraph: 'fp',
  container: '',
  profiler: 'perf',
  pprofPort: '',
  bpftraceProgram: '',
  profile: 'cpu',
  note: '',
};

function status(overrides: Partial<RecordingStatus>): RecordingStatus {
  return {
    id: 'r',
    state: 'recording',
    stage: 'record',
    progress: 0.25,
    params: perfParams(20),
    targets: [],
    startedAt: '2026-03-01T12:00:00.000Z',
    artifacts: [],
    ...overrides,
  };
}

describe('recording form: profiler', () => {
  it('sends perf as the default (nothing), and pprof or auto with the port when one is typed', () => {
    assert.equal(startBody(values, DEFAULT_LIMITS).profiler, undefined);
    assert.deepEqual(startBody({ ...values, profiler: 'pprof', pprofPort: ' 6061 ' }, DEFAULT_LIMITS).pprof, {
      port: 6061,
    });
    const auto = startBody({ ...values, profiler: 'auto' }, DEFAULT_LIMITS);
    assert.equal(auto.profiler, 'auto');
    assert.equal(auto.pprof, undefined);
    assert.equal(startBody({ ...values, pprofPort: '6061' }, DEFAULT_LIMITS).pprof, undefined);
  });

  it('puts an error about pprof.port next to the port field', () => {
    const error = {
      code: 'ERR_LIMIT_EXCEEDED',
      field: 'pprof.port',
      message: 'pprof.port 70000 is out of range',
    };
    assert.equal(fieldOfError(error), 'pprofPort');
  });
});

describe('recording form: bpftrace', () => {
  const program = 'profile:hz:99 {\n  @[comm, ustack] = count();\n}\n';

  it('sends the program as typed with profiler bpftrace, without perf-only frequency and symbols', () => {
    assert.deepEqual(
      startBody({ ...values, profiler: 'bpftrace', bpftraceProgram: program }, DEFAULT_LIMITS),
      {
        durationSeconds: 10,
        processPattern: 'my-server',
        profiler: 'bpftrace',
        bpftrace: { program },
      },
    );
    // A program typed, then another profiler chosen: the program stays in the form, not in the request.
    assert.equal(
      startBody({ ...values, profiler: 'perf', bpftraceProgram: program }, DEFAULT_LIMITS).bpftrace,
      undefined,
    );
    // Nothing typed: the server says the program is required (its message goes next to the textarea).
    assert.equal(
      startBody({ ...values, profiler: 'bpftrace', bpftraceProgram: ' \n' }, DEFAULT_LIMITS).bpftrace,
      undefined,
    );
  });

  it("puts the server's refusal of the program next to it, and a 403 for the permission under the form", () => {
    const refused = {
      code: 'ERR_INVALID_PARAMETER',
      field: 'bpftrace.program',
      message: 'bpftrace.program is refused: system() runs commands and is not allowed (line 1, column 16)',
    };
    assert.equal(fieldOfError(refused), 'bpftraceProgram');
    assert.equal(
      fieldOfError({
        code: 'ERR_INVALID_PARAMETER',
        field: 'bpftrace.program',
        message: 'bpftrace.program is required with profiler bpftrace',
      }),
      'bpftraceProgram',
    );
    const forbidden = {
      code: 'ERR_FORBIDDEN',
      message:
        'rita may not create recordings/bpftrace (API group furnace.hyperfoil.io) in namespace shop: a bpftrace program can read kernel memory, so it needs this permission beyond recording (ClusterRole furnace-tracer grants it)',
    };
    assert.equal(fieldOfError(forbidden), undefined, 'shown as the form-level alert, word for word');
  });

  it('waits for the folded stacks in the catalog, or for bpftrace.txt when the program printed no stack map', () => {
    assert.equal(awaitedArtifact({ artifacts: ['bpftrace.txt'] }), 'bpftrace.txt');
    assert.equal(
      awaitedArtifact({ artifacts: ['bpftrace.txt', 'stacks.folded', 'flamegraph.svg'] }),
      'stacks.folded',
    );
    assert.equal(
      awaitedArtifact({ artifacts: ['perf.data', 'perf.script', 'stacks.folded'] }),
      'stacks.folded',
    );
  });
});

describe('recording form', () => {
  it('sends what the user typed, numbers as numbers and anything else as typed for the server to judge', () => {
    assert.deepEqual(startBody(values, DEFAULT_LIMITS), {
      durationSeconds: 10,
      frequency: 99,
      processPattern: 'my-server',
      symbols: 'proc',
      callGraph: 'fp',
    });
    assert.deepEqual(
      startBody({ ...values, durationSeconds: '1e9', pid: '42', container: 'app' }, undefined),
      {
        durationSeconds: '1e9',
        frequency: 99,
        processPattern: 'my-server',
        pid: 42,
        symbols: 'proc',
        callGraph: 'fp',
        container: 'app',
      },
    );
  });

  it('sends the call graph chosen for perf (and auto), none for pprof and bpftrace', () => {
    assert.equal(startBody({ ...values, callGraph: 'dwarf' }, DEFAULT_LIMITS).callGraph, 'dwarf');
    assert.equal(
      startBody({ ...values, callGraph: 'dwarf', profiler: 'auto' }, DEFAULT_LIMITS).callGraph,
      'dwarf',
    );
    assert.equal(
      startBody({ ...values, callGraph: 'dwarf', profiler: 'pprof' }, DEFAULT_LIMITS).callGraph,
      undefined,
    );
    const bpftrace = { ...values, callGraph: 'dwarf', profiler: 'bpftrace', bpftraceProgram: 'x' };
    assert.equal(startBody(bpftrace, DEFAULT_LIMITS).callGraph, undefined);
  });

  it("sends perf's profile type when it is not cpu, never with another profiler, and places its refusal", () => {
    assert.equal(startBody(values, DEFAULT_LIMITS).profile, undefined, 'cpu is the default');
    const offcpu = startBody({ ...values, profile: 'offcpu' }, DEFAULT_LIMITS);
    assert.equal(offcpu.profile, 'offcpu');
    assert.equal(offcpu.profiler, undefined);
    assert.equal(
      startBody({ ...values, profiler: 'pprof', profile: 'wall' }, DEFAULT_LIMITS).profile,
      undefined,
    );
    assert.equal(fieldOfError({ code: 'ERR_INVALID_PARAMETER', field: 'profile', message: '' }), 'profile');
  });

  it('records until stopped with the longest duration the server allows', () => {
    const body = startBody({ ...values, untilStopped: true }, { ...DEFAULT_LIMITS, maxDurationSeconds: 120 });
    assert.equal(body.durationSeconds, 120);
  });

  it('places a server error next to the field it names', () => {
    assert.equal(
      fieldOfError({ code: 'ERR_LIMIT_EXCEEDED', field: 'durationSeconds', message: '' }),
      'durationSeconds',
    );
    assert.equal(
      fieldOfError({ code: 'ERR_NO_MATCHING_PROCESS', message: 'no process matches' }),
      'processPattern',
    );
    assert.equal(
      fieldOfError({ code: 'ERR_INVALID_PARAMETER', message: 'body/frequency must be <= 999' }),
      'frequency',
    );
    assert.equal(
      fieldOfError({ code: 'ERR_UPSTREAM_FAILED', message: 'the sidecar could not be reached' }),
      undefined,
    );
  });

  it('describes progress: stage, percent, elapsed and remaining while sampling', () => {
    const now = Date.parse('2026-03-01T12:00:05.500Z');
    assert.deepEqual(describeProgress(status({}), now), {
      stage: 'record',
      label: 'Recording samples',
      percent: 25,
      elapsedSeconds: 5,
      remainingSeconds: 15,
      finished: false,
    });
    const processing = describeProgress(
      status({ state: 'processing', stage: 'collapse', progress: 0.9 }),
      now,
    );
    assert.equal(processing.remainingSeconds, undefined);
    assert.equal(processing.label, 'Collapsing stacks');
    assert.equal(formatSeconds(75), '1:15');
  });

  it('says a recording waits for its start (startsAt) with no elapsed time and the whole duration left', () => {
    const now = Date.parse('2026-03-01T11:59:50.000Z');
    const view = describeProgress(status({ startsAt: '2026-03-01T12:00:00.000Z', progress: 0 }), now);
    assert.equal(view.label, 'Starting at 2026-03-01T12:00:00.000Z');
    assert.equal(view.elapsedSeconds, 0);
    assert.equal(view.remainingSeconds, 20);
    assert.equal(view.percent, 0);
  });
});

describe('history filter', () => {
  const entry = (id: string, namespace: string, pod: string, state: CatalogEntry['state']): CatalogEntry => ({
    id,
    namespace,
    pod,
    state,
    params: status({}).params,
    startedAt: '2026-03-01T12:00:00.000Z',
    artifacts: [],
  });
  const entries = [
    { ...entry('r1', 'team-a', 'web-1', 'done'), startedBy: 'bob' },
    { ...entry('r2', 'team-b', 'db-0', 'failed'), startedBy: 'alice' },
    entry('r3', 'team-a', 'WEB-2', 'done'),
  ];

  it('filters by namespace, state and text in pod, container or id', () => {
    assert.deepEqual(filterEntries(entries, NO_FILTER).length, 3);
    assert.deepEqual(
      filterEntries(entries, { ...NO_FILTER, namespace: 'team-a' }).map((e) => e.id),
      ['r1', 'r3'],
    );
    assert.deepEqual(
      filterEntries(entries, { ...NO_FILTER, text: 'web' }).map((e) => e.id),
      ['r1', 'r3'],
    );
    assert.deepEqual(
      filterEntries(entries, { ...NO_FILTER, state: 'failed' }).map((e) => e.id),
      ['r2'],
    );
    assert.deepEqual(
      filterEntries(entries, { ...NO_FILTER, text: 'r2' }).map((e) => e.id),
      ['r2'],
    );
  });

  it('filters by who started a recording, offering each starter once', () => {
    assert.deepEqual(startersOf([...entries, entries[0] as CatalogEntry]), ['alice', 'bob']);
    assert.deepEqual(
      filterEntries(entries, { ...NO_FILTER, startedBy: 'bob' }).map((e) => e.id),
      ['r1'],
    );
  });
});
