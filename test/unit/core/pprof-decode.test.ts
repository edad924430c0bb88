// The pprof decoder and its folded stacks, on profiles written field by field here and by the generated
// code (the Go-made ones are in test/process/pprof-go-profiles.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFolded } from '../../../core/stacks/folded.ts';
import { decodeProfile, PprofFormatError } from '../../../core/pprof/profile.ts';
import { pprofToFolded } from '../../../core/pprof/pprof-folded.ts';
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ProfileSchema } from '../../../core/proto/gen/pprof/profile_pb.ts';

// The fixture is written with the library's own wire writer, field by field, the way Go's encoder writes a
// profile (and a few ways it does not: unpacked repeated fields, an unknown fixed64 field).
type Field = (writer: BinaryWriter) => void;
const int =
  (field: number, value: bigint | number): Field =>
  (w) =>
    w.tag(field, WireType.Varint).int64(value);
const message =
  (field: number, ...content: Field[]): Field =>
  (w) => {
    w.tag(field, WireType.LengthDelimited).fork();
    for (const write of content) write(w);
    w.join();
  };
const text =
  (field: number, s: string): Field =>
  (w) =>
    w.tag(field, WireType.LengthDelimited).string(s);
const packed =
  (field: number, values: (bigint | number)[]): Field =>
  (w) => {
    w.tag(field, WireType.LengthDelimited).fork();
    for (const value of values) w.int64(value);
    w.join();
  };
const encode = (...fields: Field[]): Uint8Array => {
  const writer = new BinaryWriter();
  for (const write of fields) write(writer);
  return writer.finish();
};

const STRINGS = ['', 'samples', 'count', 'cpu', 'nanoseconds', 'main', 'work', 'inlined', 'a;b', '/bin/app'];
const S = Object.fromEntries(STRINGS.map((s, i) => [s, i])) as Record<string, number>;

/** main → work (with `inlined` inlined into work) → a leaf address without symbols; main → work; a;b. */
function fixture(): Uint8Array {
  return encode(
    message(1, int(1, S.samples!), int(2, S.count!)),
    message(1, int(1, S.cpu!), int(2, S.nanoseconds!)),
    // Leaf first; values packed.
    message(2, packed(1, [3, 2, 1]), packed(2, [2, 20_000_000])),
    // Unpacked repeated fields, as older encoders write them.
    message(2, int(1, 2), int(1, 1), int(2, 5), int(2, 50_000_000)),
    // A zero count: left out.
    message(2, packed(1, [1]), packed(2, [0, 0])),
    // A negative value (a diff profile): left out.
    message(2, packed(1, [1]), packed(2, [-4, -40])),
    // A frame whose name holds the folded separator.
    message(2, packed(1, [4]), packed(2, [1, 10])),
    message(3, int(1, 1), int(5, S['/bin/app']!)),
    message(4, int(1, 1), message(4, int(1, 1))),
    // Inlined: innermost line first.
    message(4, int(1, 2), message(4, int(1, 3), int(2, 7)), message(4, int(1, 2))),
    message(4, int(1, 3), int(3, 0xdead)),
    message(4, int(1, 4), message(4, int(1, 4))),
    message(5, int(1, 1), int(2, S.main!)),
    message(5, int(1, 2), int(2, S.work!)),
    message(5, int(1, 3), int(2, S.inlined!)),
    message(5, int(1, 4), int(2, S['a;b']!)),
    ...STRINGS.map((s) => text(6, s)),
    int(9, 1_700_000_000_000_000_000n),
    int(10, 2_000_000_000),
    message(11, int(1, S.cpu!), int(2, S.nanoseconds!)),
    int(12, 10_000_000),
    // An unknown fixed64 field: skipped.
    (w) => w.tag(99, WireType.Bit64).fixed64(0x0807060504030201n),
  );
}

describe('pprof decoding of bad input', () => {
  it('refuses truncated or malformed protobuf, and says it is not a pprof profile', () => {
    const whole = fixture();
    assert.throws(() => decodeProfile(whole.subarray(0, whole.length - 3)), PprofFormatError);
    assert.throws(() => decodeProfile(Uint8Array.from([0x80, 0x80])), /not a pprof profile: premature EOF/);
    assert.throws(
      () => decodeProfile(encode(int(1, 5))),
      PprofFormatError,
      'a number where a message belongs',
    );
    assert.throws(() => decodeProfile(Uint8Array.from([0x0f])), /not a pprof profile: illegal tag/);
  });

  it('reads 64-bit values: large unsigned addresses, negative int64 values', () => {
    const profile = decodeProfile(
      encode(
        message(2, packed(1, [1]), packed(2, [-(2 ** 40)])),
        message(4, int(1, 1), (w) => w.tag(3, WireType.Varint).uint64(2n ** 47n + 5n)),
      ),
    );
    assert.deepEqual(profile.samples[0]?.values, [-(2 ** 40)]);
    assert.equal(profile.locations.get(1)?.address, 2 ** 47 + 5);
  });
});

describe('pprof profile → folded stacks', () => {
  it('decodes sample types, period and duration', () => {
    const profile = decodeProfile(fixture());
    assert.deepEqual(profile.sampleTypes, [
      { type: 'samples', unit: 'count' },
      { type: 'cpu', unit: 'nanoseconds' },
    ]);
    assert.deepEqual(profile.periodType, { type: 'cpu', unit: 'nanoseconds' });
    assert.equal(profile.period, 10_000_000);
    assert.equal(profile.durationNanos, 2_000_000_000);
    assert.equal(profile.samples.length, 5);
  });

  it('puts the root first, unfolds inlined functions, names unsymbolized code by address, counts samples', () => {
    const folded = pprofToFolded(decodeProfile(fixture()), 'profile');
    assert.deepEqual(folded.value, { type: 'samples', unit: 'count' });
    assert.equal(folded.skipped, 2);
    assert.equal(
      formatFolded(folded.stacks),
      ['app;a:b 1', 'app;main;work;inlined 5', 'app;main;work;inlined;0xdead 2', ''].join('\n'),
    );
  });

  it('falls back to the default (last) value when the preferred one is absent', () => {
    const profile = decodeProfile(fixture());
    profile.sampleTypes = [
      { type: 'alloc_space', unit: 'bytes' },
      { type: 'unknown', unit: 'things' },
    ];
    const folded = pprofToFolded(profile, 'goroutine');
    assert.equal(folded.value.type, 'unknown');
    assert.equal(folded.stacks.get('app;main;work;inlined'), 50_000_000);
    assert.equal(pprofToFolded(profile, 'heap').value.type, 'alloc_space');
  });

  it('refuses a string index outside the table', () => {
    const bad = encode(message(1, int(1, 40), int(2, 0)), text(6, ''));
    assert.throws(() => decodeProfile(bad), /string index 40 is outside the table of 1/);
  });

  it('decodes a profile that the generated code wrote, as the pprof export will write one', () => {
    const written = create(ProfileSchema, {
      sampleType: [{ type: 1n, unit: 2n }],
      sample: [{ locationId: [2n, 1n], value: [3n] }],
      location: [
        { id: 1n, line: [{ functionId: 1n }] },
        { id: 2n, line: [{ functionId: 2n }] },
      ],
      function: [
        { id: 1n, name: 3n },
        { id: 2n, name: 4n },
      ],
      stringTable: ['', 'samples', 'count', 'main', 'leaf'],
    });
    const folded = pprofToFolded(decodeProfile(toBinary(ProfileSchema, written)), 'profile');
    assert.deepEqual([...folded.stacks], [['main;leaf', 3]]);
  });
});
