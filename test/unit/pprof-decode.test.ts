// The pprof decoder and its folded stacks, on profiles encoded by hand here (the Go-made ones are in
// test/process/pprof-go-profiles.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatFolded } from '../../core/stacks/folded.ts';
import { decodeProfile } from '../../core/pprof/profile.ts';
import { pprofToFolded } from '../../core/pprof/pprof-folded.ts';
import { readVarint, WireFormatError } from '../../core/pprof/protobuf-wire.ts';

/** A tiny protobuf writer, enough to write the fixture the way Go's encoder does (and a few ways it does not). */
function varint(value: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const key = (field: number, wireType: number): number[] => varint(field * 8 + wireType);
const int = (field: number, value: bigint | number): number[] => [...key(field, 0), ...varint(value)];
const bytes = (field: number, content: number[]): number[] => [
  ...key(field, 2),
  ...varint(content.length),
  ...content,
];
const text = (field: number, s: string): number[] => bytes(field, [...Buffer.from(s, 'utf8')]);
const packed = (field: number, values: (bigint | number)[]): number[] => bytes(field, values.flatMap(varint));

const STRINGS = ['', 'samples', 'count', 'cpu', 'nanoseconds', 'main', 'work', 'inlined', 'a;b', '/bin/app'];
const S = Object.fromEntries(STRINGS.map((s, i) => [s, i])) as Record<string, number>;

/** main → work (with `inlined` inlined into work) → a leaf address without symbols; main → work; a;b. */
function fixture(): Uint8Array {
  const message = [
    bytes(1, [...int(1, S.samples!), ...int(2, S.count!)]),
    bytes(1, [...int(1, S.cpu!), ...int(2, S.nanoseconds!)]),
    // Leaf first; values packed.
    bytes(2, [...packed(1, [3, 2, 1]), ...packed(2, [2, 20_000_000])]),
    // Unpacked repeated fields, as older encoders write them.
    bytes(2, [...int(1, 2), ...int(1, 1), ...int(2, 5), ...int(2, 50_000_000)]),
    // A zero count: left out.
    bytes(2, [...packed(1, [1]), ...packed(2, [0, 0])]),
    // A negative value (a diff profile): left out.
    bytes(2, [...packed(1, [1]), ...packed(2, [-4, -40])]),
    // A frame whose name holds the folded separator.
    bytes(2, [...packed(1, [4]), ...packed(2, [1, 10])]),
    bytes(3, [...int(1, 1), ...int(5, S['/bin/app']!)]),
    bytes(4, [...int(1, 1), ...bytes(4, int(1, 1))]),
    // Inlined: innermost line first.
    bytes(4, [...int(1, 2), ...bytes(4, [...int(1, 3), ...int(2, 7)]), ...bytes(4, int(1, 2))]),
    bytes(4, [...int(1, 3), ...int(3, 0xdead)]),
    bytes(4, [...int(1, 4), ...bytes(4, int(1, 4))]),
    bytes(5, [...int(1, 1), ...int(2, S.main!)]),
    bytes(5, [...int(1, 2), ...int(2, S.work!)]),
    bytes(5, [...int(1, 3), ...int(2, S.inlined!)]),
    bytes(5, [...int(1, 4), ...int(2, S['a;b']!)]),
    ...STRINGS.map((s) => text(6, s)),
    int(9, 1_700_000_000_000_000_000n),
    int(10, 2_000_000_000),
    bytes(11, [...int(1, S.cpu!), ...int(2, S.nanoseconds!)]),
    int(12, 10_000_000),
    // An unknown fixed64 field: skipped.
    [...key(99, 1), 1, 2, 3, 4, 5, 6, 7, 8],
  ].flat();
  return Uint8Array.from(message);
}

describe('protobuf wire reader', () => {
  it('reads varints up to 64 bits, and int64 as two’s complement', () => {
    assert.equal(readVarint(Uint8Array.from(varint(300)), 0).value, 300);
    assert.equal(readVarint(Uint8Array.from(varint(2 ** 40 + 5)), 0).value, 2 ** 40 + 5);
    assert.equal(readVarint(Uint8Array.from(varint(-3)), 0).signed, -3);
    assert.equal(readVarint(Uint8Array.from(varint(-(2 ** 40))), 0).signed, -(2 ** 40));
  });

  it('refuses truncated input, naming the offset', () => {
    assert.throws(() => readVarint(Uint8Array.from([0x80, 0x80]), 0), WireFormatError);
    const whole = fixture();
    assert.throws(() => decodeProfile(whole.subarray(0, whole.length - 3)), /runs past the end/);
    assert.throws(() => decodeProfile(Uint8Array.from([...key(2, 3)])), /unsupported wire type 3/);
    assert.throws(() => decodeProfile(Uint8Array.from(int(1, 5))), /not length-delimited/);
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
    const bad = Uint8Array.from([...bytes(1, [...int(1, 40), ...int(2, 0)]), ...text(6, '')]);
    assert.throws(() => decodeProfile(bad), /string index 40 is outside the table of 1/);
  });
});
