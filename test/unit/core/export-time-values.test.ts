// Profiles whose stacks are weighted by time (offcpu, wall) export with their own sample type and unit,
// the values as they are and no sampling period; sampled profiles keep samples/count and cpu/nanoseconds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { exportValueType } from '../../../core/contract/profile-types.ts';
import { foldedToOtlp } from '../../../core/otlp/write-otlp.ts';
import { foldedToPprofBytes } from '../../../core/pprof/write-pprof.ts';
import { ExportProfilesServiceRequestSchema } from '../../../core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import { ProfileSchema } from '../../../core/proto/gen/pprof/profile_pb.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';

const META = { frequency: 99, startedAtMs: Date.parse('2026-11-23T06:00:00Z'), durationMs: 3000 };
const BLOCKED = parseFolded('app;read;ksys_read 3000000000\napp;sleep;do_nanosleep 1500000000\n');

describe('exports of time-weighted profiles', () => {
  it('names off_cpu and wall in nanoseconds, and nothing for sampled types', () => {
    assert.deepEqual(exportValueType('offcpu'), { type: 'off_cpu', unit: 'nanoseconds' });
    assert.deepEqual(exportValueType('wall'), { type: 'wall', unit: 'nanoseconds' });
    assert.equal(exportValueType('cpu'), undefined);
    assert.equal(exportValueType(undefined), undefined);
  });

  it('pprof: one sample type off_cpu/nanoseconds, the values as they are, no period', () => {
    const valueType = { type: 'off_cpu', unit: 'nanoseconds' };
    const p = fromBinary(ProfileSchema, foldedToPprofBytes(BLOCKED, { ...META, valueType }));
    const s = (i: bigint) => p.stringTable[Number(i)];
    assert.deepEqual(
      p.sampleType.map((t) => `${s(t.type)}/${s(t.unit)}`),
      ['off_cpu/nanoseconds'],
    );
    assert.deepEqual(
      p.sample.map((sample) => sample.value),
      [[3_000_000_000n], [1_500_000_000n]],
    );
    assert.equal(p.periodType, undefined);
    assert.equal(p.period, 0n);
    assert.equal(s(p.defaultSampleType), 'off_cpu');
  });

  it('OTLP: sample type wall/nanoseconds with the values as they are, no period', () => {
    const valueType = { type: 'wall', unit: 'nanoseconds' };
    const request = fromBinary(
      ExportProfilesServiceRequestSchema,
      foldedToOtlp(BLOCKED, { ...META, valueType }),
    );
    const strings = request.dictionary?.stringTable ?? [];
    const profile = request.resourceProfiles[0]?.scopeProfiles[0]?.profiles[0];
    assert.ok(profile !== undefined);
    const type = profile.sampleType;
    assert.equal(
      `${strings[type?.typeStrindex ?? 0]}/${strings[type?.unitStrindex ?? 0]}`,
      'wall/nanoseconds',
    );
    assert.deepEqual(
      profile.samples.map((sample) => sample.values),
      [[3_000_000_000n], [1_500_000_000n]],
    );
    assert.equal(profile.period, 0n);
  });
});
