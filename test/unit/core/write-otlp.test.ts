// core/otlp/write-otlp.ts writes the request's growing tables field by field with the library's BinaryWriter;
// here the bytes are decoded with the schema generated from the official proto files, so a wrong field
// number, wire type or index shows as a wrong or missing field (the official Go bindings read the same bytes
// in test/process/otlp-export.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { foldedToPprofBytes } from '../../../core/pprof/write-pprof.ts';
import { foldedToOtlp } from '../../../core/otlp/write-otlp.ts';
import { ExportProfilesServiceRequestSchema } from '../../../core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import { ProfileSchema } from '../../../core/proto/gen/pprof/profile_pb.ts';
import { parseFolded, totalSamples } from '../../../core/stacks/folded.ts';
import { internStacks } from '../../../core/stacks/interned.ts';

const META = {
  frequency: 200,
  startedAtMs: Date.parse('2026-11-23T06:00:00Z'),
  durationMs: 3000,
  resource: { 'k8s.namespace.name': 'shop', 'service.name': 'web' },
};

function decode(folded: string) {
  return fromBinary(ExportProfilesServiceRequestSchema, foldedToOtlp(parseFolded(folded), META));
}

/** The request's samples as folded stacks, through the dictionary (root first, as folded text lists them). */
function foldedOf(request: ReturnType<typeof decode>): Map<string, number> {
  const d = request.dictionary!;
  const profile = request.resourceProfiles[0]!.scopeProfiles[0]!.profiles[0]!;
  const out = new Map<string, number>();
  for (const sample of profile.samples) {
    const names = d.stackTable[sample.stackIndex]!.locationIndices.map((l) => {
      const fn = d.functionTable[d.locationTable[l]!.lines[0]!.functionIndex]!;
      assert.equal(fn.nameStrindex, fn.systemNameStrindex);
      return d.stringTable[fn.nameStrindex]!;
    });
    const stack = names.reverse().join(';');
    out.set(stack, (out.get(stack) ?? 0) + Number(sample.values[0]));
  }
  return out;
}

describe('OTLP bytes decoded with the generated opentelemetry-proto schema', () => {
  it('has the resource, scope, sample and period types, start and duration', () => {
    const request = decode('app;main 1\n');
    const d = request.dictionary!;
    const rp = request.resourceProfiles[0]!;
    const attributes = rp.resource!.attributes.map((a) => [a.key, a.value!.value.value]);
    assert.deepEqual(attributes, [
      ['k8s.namespace.name', 'shop'],
      ['service.name', 'web'],
    ]);
    assert.equal(rp.scopeProfiles[0]!.scope!.name, 'furnace');
    const profile = rp.scopeProfiles[0]!.profiles[0]!;
    const s = (i: number) => d.stringTable[i];
    assert.equal(
      `${s(profile.sampleType!.typeStrindex)}/${s(profile.sampleType!.unitStrindex)}`,
      'samples/count',
    );
    assert.equal(
      `${s(profile.periodType!.typeStrindex)}/${s(profile.periodType!.unitStrindex)}`,
      'cpu/nanoseconds',
    );
    assert.equal(profile.period, 5_000_000n);
    assert.equal(profile.timeUnixNano, BigInt(META.startedAtMs) * 1_000_000n);
    assert.equal(profile.durationNano, 3_000_000_000n);
  });

  it('starts every table with its zero value and holds each string, frame and stack once', () => {
    const folded = 'app;main;work 7\napp;main;rest 3\napp;work 2\ncpu;samples 1\n';
    const request = decode(folded);
    const d = request.dictionary!;
    assert.equal(d.stringTable[0], '');
    assert.equal(new Set(d.stringTable).size, d.stringTable.length, 'no string twice, frame names included');
    for (const table of [d.locationTable, d.functionTable, d.stackTable, d.mappingTable, d.attributeTable])
      assert.ok(table.length >= 1, 'a zero entry');
    assert.deepEqual(d.locationTable[0]!.lines, []);
    assert.deepEqual(d.stackTable[0]!.locationIndices, []);
    assert.equal(d.functionTable.length, 1 + 6, 'app, main, work, rest, cpu, samples: once each');
    assert.equal(d.stackTable.length, 1 + 4);
    assert.deepEqual(foldedOf(request), parseFolded(folded));
  });

  it('gives the same bytes from interned tables and a reused writer, and the same totals in pprof', () => {
    const stacks = parseFolded('a;b;c 5\na;b 2\nz 40000000000\n');
    const tables = internStacks(stacks);
    assert.deepEqual(foldedToOtlp(tables, META), foldedToOtlp(stacks, META));
    const shared = new BinaryWriter();
    assert.deepEqual(foldedToPprofBytes(tables, META, shared), foldedToPprofBytes(stacks, META));
    assert.deepEqual(foldedToOtlp(tables, META, shared), foldedToOtlp(stacks, META), 'a writer used before');
    const request = fromBinary(ExportProfilesServiceRequestSchema, foldedToOtlp(tables, META));
    assert.deepEqual(foldedOf(request), stacks, 'a count past 2^32 too');
    const pprof = fromBinary(ProfileSchema, foldedToPprofBytes(tables, META));
    const total = pprof.sample.reduce((sum, sample) => sum + Number(sample.value[0]), 0);
    assert.equal(total, totalSamples(stacks));
  });
});
