// The profile type of a start: checked against what its profiler records, and one fact with pprof's kind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { profileOf } from '../../../core/contract/profile-types.ts';
import { startParamsSchema, validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { paramsRejection as rejection } from '../../harness/params-rejection.ts';

const valid = (input: object) => validateRecordingParams(input, DEFAULT_LIMITS);

describe('profile type of a start', () => {
  it('is cpu unless asked, and offcpu or wall with the default profiler', () => {
    assert.equal(valid({}).profile, 'cpu');
    assert.equal(valid({ profile: 'offcpu' }).profile, 'offcpu');
    assert.equal(valid({ profile: 'wall', pid: 42 }).profile, 'wall');
    // Validating what came out again gives the same (the server checks, then the recorder checks).
    const offcpu = valid({ profile: 'offcpu' });
    assert.deepEqual(valid(offcpu), offcpu);
  });

  it('refuses a type its profiler does not record, naming the ones it does', () => {
    const bpftrace = rejection({
      profile: 'offcpu',
      profiler: 'bpftrace',
      bpftrace: { program: 'profile:hz:99 { @[ustack] = count(); }' },
    });
    assert.equal(bpftrace.status, 400);
    assert.equal(bpftrace.details.field, 'profile');
    assert.match(bpftrace.message, /profile "offcpu" is invalid: profiler bpftrace records cpu$/);
    const pprof = rejection({ profile: 'wall', profiler: 'pprof' });
    assert.match(pprof.message, /profiler pprof records cpu, heap, goroutine, allocs, mutex, block/);
    const heap = rejection({ profile: 'heap' });
    assert.match(heap.message, /profile "heap" is invalid: profiler perf records cpu, offcpu, wall/);
    const unknown = rejection({ profile: 'trace' });
    assert.match(
      unknown.message,
      /profile "trace" .*cpu, offcpu, wall, heap, goroutine, allocs, mutex, block/,
    );
  });

  it("is pprof's kind said another way: either decides the other, and they must agree", () => {
    const heap = valid({ profiler: 'pprof', profile: 'heap' });
    assert.deepEqual([heap.pprof?.kind, heap.pprof?.path], ['heap', '/debug/pprof/heap']);
    const byKind = valid({ profiler: 'pprof', pprof: { kind: 'goroutine' } });
    assert.equal(byKind.profile, 'goroutine');
    assert.equal(valid({ profiler: 'auto' }).profile, 'cpu');
    const clash = rejection({ profiler: 'pprof', profile: 'cpu', pprof: { kind: 'heap' } });
    assert.equal(clash.details.field, 'pprof.kind');
    assert.match(clash.message, /must be profile for profile cpu, or left out/);
  });

  it('refuses offcpu and wall for the whole node: the recorder is scoped to processes', () => {
    const error = rejection({ profile: 'offcpu', systemWide: true });
    assert.equal(error.details.field, 'systemWide');
  });

  it('reads the type of an entry from before the field from its pprof kind, else cpu', () => {
    assert.equal(profileOf({}), 'cpu');
    assert.equal(profileOf({ pprof: { kind: 'heap' } }), 'heap');
    assert.equal(profileOf({ pprof: { kind: 'profile' } }), 'cpu');
  });

  it('shows the choices and the default in the JSON schema', () => {
    const schema = startParamsSchema(DEFAULT_LIMITS) as {
      properties: Record<string, { default?: unknown; enum?: string[] }>;
    };
    assert.deepEqual(schema.properties.profile?.enum, [
      'cpu',
      'offcpu',
      'wall',
      'heap',
      'goroutine',
      'allocs',
      'mutex',
      'block',
    ]);
    assert.equal(schema.properties.profile?.default, 'cpu');
  });
});
