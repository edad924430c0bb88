// core/pprof/write-pprof.ts writes profile.proto's fields by hand with the library's BinaryWriter; here the
// bytes are decoded with the schema generated from profile.proto, so a wrong field number or wire type
// shows as a wrong or missing field (go tool pprof reads the same bytes in test/process/pprof-export.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { fromBinary } from '@bufbuild/protobuf';
import { foldedToPprof, foldedToPprofBytes } from '../../../core/pprof/write-pprof.ts';
import { ProfileSchema } from '../../../core/proto/gen/pprof/profile_pb.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';

const META = { frequency: 200, startedAtMs: Date.parse('2026-11-23T06:00:00Z'), durationMs: 3000 };

function decode(folded: string, labels?: Record<string, string>) {
  return fromBinary(ProfileSchema, foldedToPprofBytes(parseFolded(folded), { ...META, labels }));
}

describe('pprof bytes decoded with the generated profile.proto schema', () => {
  it('has both sample types, the period, start, duration and default type', () => {
    const p = decode('app;main 1\n');
    const s = (i: bigint) => p.stringTable[Number(i)];
    assert.equal(p.stringTable[0], '');
    assert.deepEqual(
      p.sampleType.map((t) => `${s(t.type)}/${s(t.unit)}`),
      ['samples/count', 'cpu/nanoseconds'],
    );
    assert.equal(`${s(p.periodType!.type)}/${s(p.periodType!.unit)}`, 'cpu/nanoseconds');
    assert.equal(p.period, 5_000_000n);
    assert.equal(p.timeNanos, BigInt(META.startedAtMs) * 1_000_000n);
    assert.equal(p.durationNanos, 3_000_000_000n);
    assert.equal(s(p.defaultSampleType), 'cpu');
  });

  it('writes each stack innermost first, one function and location per frame name, no duplicates', () => {
    const p = decode('app;main;work 7\napp;main;rest 3\n');
    const nameOf = (id: bigint) => {
      const location = p.location.find((l) => l.id === id)!;
      const fn = p.function.find((f) => f.id === location.line[0]!.functionId)!;
      assert.equal(fn.name, fn.systemName);
      return p.stringTable[Number(fn.name)];
    };
    assert.deepEqual(
      p.sample.map((sm) => [sm.locationId.map(nameOf).join(';'), sm.value]),
      [
        ['work;main;app', [7n, 35_000_000n]],
        ['rest;main;app', [3n, 15_000_000n]],
      ],
    );
    assert.equal(p.location.length, 4);
    assert.equal(p.function.length, 4);
    assert.deepEqual(
      p.location.map((l) => l.id),
      [1n, 2n, 3n, 4n],
    );
    assert.equal(new Set(p.stringTable).size, p.stringTable.length, 'strings are interned');
  });

  it('puts the labels on every sample and skips stacks with no samples', () => {
    const p = decode('a;b 2\na;c 0\nd 1\n', { namespace: 'shop', pod: 'web-0' });
    assert.equal(p.sample.length, 2);
    for (const sample of p.sample) {
      assert.deepEqual(
        sample.label.map((l) => [p.stringTable[Number(l.key)], p.stringTable[Number(l.str)]]),
        [
          ['namespace', 'shop'],
          ['pod', 'web-0'],
        ],
      );
    }
  });

  it('keeps 64-bit values exact beyond 2^53 nanoseconds and is gzipped for readers', () => {
    const bytes = foldedToPprof(parseFolded('big 20000000\n'), { ...META, frequency: 1 });
    const p = fromBinary(ProfileSchema, gunzipSync(bytes));
    assert.deepEqual(p.sample[0]!.value, [20_000_000n, 20_000_000n * 1_000_000_000n]);
  });

  it('gzips a profile of thousands of stacks piece by piece: one stream of several members, the same profile', () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `app;main;work_${i % 700};leaf_${i} ${1 + (i % 5)}`);
    const stacks = parseFolded(lines.join('\n'));
    const file = foldedToPprof(stacks, { ...META, labels: { namespace: 'shop' } });
    // Each member starts with gzip's magic bytes and compression method: 1f 8b 08.
    const members = file.toString('latin1').split('\x1f\x8b\x08').length - 1;
    assert.ok(members >= 3, `${members} gzip members`);
    const whole = foldedToPprofBytes(stacks, { ...META, labels: { namespace: 'shop' } });
    assert.deepEqual(gunzipSync(file), Buffer.from(whole), 'gunzip reads every member as one stream');
    const p = fromBinary(ProfileSchema, whole);
    assert.equal(p.sample.length, 2500);
    const total = p.sample.reduce((sum, sample) => sum + Number(sample.value[0]), 0);
    assert.equal(
      total,
      [...stacks.values()].reduce((a, b) => a + b, 0),
    );
  });
});
