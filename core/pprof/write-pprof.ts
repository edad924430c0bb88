// Folded stacks → a pprof profile (github.com/google/pprof, proto/profile.proto), gzipped as `go tool pprof`,
// Pyroscope and Parca read it: sample types samples/count and cpu/nanoseconds (one sample is one period,
// 1/frequency), one function and one location per distinct frame name, samples innermost first, and the
// recording's labels (namespace, pod, container, service_name: core/export/) on every sample. Pure but
// for gzip.
//
// Written field by field with @bufbuild/protobuf's BinaryWriter from plain numbers, not as generated
// messages: pprof's ids and values are 64-bit, which messages hold as bigint and encode one DataView call
// at a time (about 100,000 location ids for a recording of 10,000 samples; 4× slower overall). Ids here
// count stacks' frames and stay far below 2^32, where a uint64 varint is the same bytes as a uint32 one.
// The field numbers come from the generated schema (core/proto/gen/pprof/); test/unit/core/write-pprof.test.ts
// decodes the bytes with that schema and test/process/pprof-export.test.ts with `go tool pprof`. The
// stacks are read from their interned tables (core/stacks/interned.ts), which the OTLP writer shares.
import { constants, gzipSync } from 'node:zlib';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { fieldNumbers } from '../proto/field-numbers.ts';
import { packedLocations } from '../proto/packed-locations.ts';
import { writeStringTable } from '../proto/string-table.ts';
import {
  FunctionSchema,
  LabelSchema,
  LineSchema,
  LocationSchema,
  ProfileSchema,
  SampleSchema,
  ValueTypeSchema,
} from '../proto/gen/pprof/profile_pb.ts';
import type { FoldedStacks } from '../stacks/folded.ts';
import { interned, ProfileStrings, stackCount, type InternedStacks } from '../stacks/interned.ts';

export interface PprofExportMeta {
  /** Sampling frequency in Hz; a sample then stands for 1/frequency of CPU time. */
  frequency: number;
  /** When the recording started (ms since the epoch) and how long it ran (ms). */
  startedAtMs: number;
  durationMs: number;
  /** Labels put on every sample, e.g. namespace and pod. */
  labels?: Readonly<Record<string, string>>;
  /**
   * What the stacks' values are when they are not samples (off-CPU and wall time: `off_cpu`/`nanoseconds`):
   * then the profile has this one sample type, the values as they are, and no sampling period.
   */
  valueType?: { type: string; unit: string };
}

const PROFILE = fieldNumbers(ProfileSchema, [
  'sampleType',
  'sample',
  'location',
  'function',
  'stringTable',
  'timeNanos',
  'durationNanos',
  'periodType',
  'period',
  'defaultSampleType',
]);
const SAMPLE = fieldNumbers(SampleSchema, ['locationId', 'value', 'label']);
const LABEL = fieldNumbers(LabelSchema, ['key', 'str']);
const LOCATION = fieldNumbers(LocationSchema, ['id', 'line']);
const LINE = fieldNumbers(LineSchema, ['functionId']);
const FUNCTION = fieldNumbers(FunctionSchema, ['id', 'name', 'systemName']);
const VALUE_TYPE = fieldNumbers(ValueTypeSchema, ['type', 'unit']);

const UINT32_MAX = 0xffff_ffff;

/** A non-negative integer as a varint; int64 and uint64 give the same bytes for these. */
function varint(w: BinaryWriter, value: number): BinaryWriter {
  return value <= UINT32_MAX ? w.uint32(value) : w.int64(value);
}

/** The labels every sample carries, encoded once as Sample.label fields. */
function labelBytes(labels: Readonly<Record<string, string>>, strings: ProfileStrings): Uint8Array {
  const w = new BinaryWriter();
  for (const [key, value] of Object.entries(labels)) {
    w.tag(SAMPLE.label, WireType.LengthDelimited).fork();
    w.tag(LABEL.key, WireType.Varint).uint32(strings.of(key));
    w.tag(LABEL.str, WireType.Varint).uint32(strings.of(value));
    w.join();
  }
  return w.finish();
}

/**
 * Samples per piece of the profile (see pprofPieces): about 150 kB on the bench's recording, so the writer's
 * buffer stays at 256 kB instead of growing to hold the whole profile.
 */
const SAMPLES_PER_PIECE = 1024;

/** What every sample carries besides its stack, the same for all of a profile's samples. */
interface SampleShape {
  /** The encoded Sample.label fields (labelBytes). */
  label: Uint8Array;
  /** Nanoseconds a count stands for; 0: the values are the measure itself (valueType), written once. */
  period: number;
}

function writeSamples(w: BinaryWriter, stacks: InternedStacks, shape: SampleShape, cut: () => void) {
  const { counts } = stacks;
  const { label, period } = shape;
  const locations = packedLocations(stacks);
  for (let s = 0; s < stackCount(stacks); s++) {
    if (s % SAMPLES_PER_PIECE === SAMPLES_PER_PIECE - 1) cut();
    const value = counts[s] as number;
    w.tag(PROFILE.sample, WireType.LengthDelimited).fork();
    // The packed list's length is known: bytes() writes it before the list, where fork() and join() would
    // move a list of 128 bytes or more to widen the length they guessed.
    w.tag(SAMPLE.locationId, WireType.LengthDelimited).bytes(locations[s] as Uint8Array);
    w.tag(SAMPLE.value, WireType.LengthDelimited).fork();
    const cpuNanos = value * period;
    if (period === 0) varint(w, value);
    else if (Number.isSafeInteger(cpuNanos)) varint(varint(w, value), cpuNanos);
    else varint(w, value).int64(BigInt(value) * BigInt(period));
    w.join();
    w.raw(label);
    w.join();
  }
}

/** One location and one function per frame name, with the frame's id and its name's string index. */
function writeFrames(w: BinaryWriter, frameCount: number): void {
  for (let id = 1; id <= frameCount; id++) {
    w.tag(PROFILE.location, WireType.LengthDelimited).fork();
    w.tag(LOCATION.id, WireType.Varint).uint32(id);
    w.tag(LOCATION.line, WireType.LengthDelimited)
      .fork()
      .tag(LINE.functionId, WireType.Varint)
      .uint32(id)
      .join();
    w.join();
  }
  for (let id = 1; id <= frameCount; id++) {
    w.tag(PROFILE.function, WireType.LengthDelimited).fork();
    w.tag(FUNCTION.id, WireType.Varint).uint32(id);
    w.tag(FUNCTION.name, WireType.Varint).uint32(id);
    w.tag(FUNCTION.systemName, WireType.Varint).uint32(id);
    w.join();
  }
}

function writeValueType(w: BinaryWriter, field: number, type: number, unit: number): void {
  w.tag(field, WireType.LengthDelimited).fork();
  w.tag(VALUE_TYPE.type, WireType.Varint).uint32(type).tag(VALUE_TYPE.unit, WireType.Varint).uint32(unit);
  w.join();
}

/**
 * The profile's protobuf bytes in pieces, each of whole top-level fields, so that they follow each other as
 * one message: a piece is taken from the writer every thousand samples and after the frames, and its bytes
 * go on (to gzip) while the writer's buffer is reused. A writer passed in is reset when done and keeps the
 * room it grew to, so a caller writing several profiles in a row allocates that room once.
 */
export function pprofPieces(
  stacks: FoldedStacks | InternedStacks,
  meta: PprofExportMeta,
  w = new BinaryWriter(),
): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  const cut = () => {
    const piece = w.finish();
    if (piece.length > 0) pieces.push(piece);
  };
  const tables = interned(stacks);
  packedLocations(tables, w); // before anything is written: it takes the writer's bytes
  const strings = new ProfileStrings(tables);
  const measured = meta.valueType;
  const period = measured === undefined ? Math.max(1, Math.round(1e9 / meta.frequency)) : 0;
  const [samples, count, cpu, nanoseconds] = (
    measured === undefined
      ? ['samples', 'count', 'cpu', 'nanoseconds']
      : [measured.type, measured.unit, measured.type, measured.unit]
  ).map((s) => strings.of(s));
  if (measured === undefined) writeValueType(w, PROFILE.sampleType, samples as number, count as number);
  writeValueType(w, PROFILE.sampleType, cpu as number, nanoseconds as number);
  writeSamples(w, tables, { label: labelBytes(meta.labels ?? {}, strings), period }, cut);
  cut();
  writeFrames(w, tables.names.length);
  cut();
  writeStringTable(w, PROFILE.stringTable, strings, cut);
  const timeNanos = BigInt(Math.round(meta.startedAtMs)) * 1_000_000n;
  const durationNanos = BigInt(Math.max(0, Math.round(meta.durationMs))) * 1_000_000n;
  if (timeNanos !== 0n) w.tag(PROFILE.timeNanos, WireType.Varint).int64(timeNanos);
  if (durationNanos !== 0n) w.tag(PROFILE.durationNanos, WireType.Varint).int64(durationNanos);
  if (period > 0) {
    writeValueType(w, PROFILE.periodType, cpu as number, nanoseconds as number);
    w.tag(PROFILE.period, WireType.Varint);
    varint(w, period);
  }
  w.tag(PROFILE.defaultSampleType, WireType.Varint).uint32(cpu as number);
  cut();
  return pieces;
}

/** The profile's protobuf bytes, not yet gzipped: its pieces as one buffer. */
export function foldedToPprofBytes(
  stacks: FoldedStacks | InternedStacks,
  meta: PprofExportMeta,
  w?: BinaryWriter,
): Uint8Array {
  return Buffer.concat(pprofPieces(stacks, meta, w));
}

/**
 * `profile.pb.gz`: the profile gzipped, as every pprof reader expects it, at gzip's fastest level as Go's
 * runtime/pprof writes its own profiles (a third of the time of the default level, 16% more bytes). Each
 * piece is gzipped as it comes, one gzip member each: RFC 1952 lets a file hold several members, which
 * readers (Go's compress/gzip, so `go tool pprof`, Pyroscope and Parca; zlib's gunzip; Node) read as one
 * stream. The writer's buffer then never doubles up to hold the whole profile, nor is the profile copied
 * out of it in one piece: on the bench's recording a cold export allocates about 1.4 MB less, and the file
 * came out 2% smaller (99,758 against 102,021 bytes). The members are the file's bytes in order: a caller
 * writing them one after the other to a file (the sidecar) needs no buffer holding them all.
 */
export function pprofMembers(
  stacks: FoldedStacks | InternedStacks,
  meta: PprofExportMeta,
  writer?: BinaryWriter,
): Buffer[] {
  return pprofPieces(stacks, meta, writer).map((piece) => gzipSync(piece, { level: constants.Z_BEST_SPEED }));
}

/** `profile.pb.gz` in one buffer: its gzip members (see pprofMembers) one after the other. */
export function foldedToPprof(
  stacks: FoldedStacks | InternedStacks,
  meta: PprofExportMeta,
  writer?: BinaryWriter,
): Buffer {
  const members = pprofMembers(stacks, meta, writer);
  return members.length === 1 ? (members[0] as Buffer) : Buffer.concat(members);
}
