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
// The field numbers are profile.proto's; test/unit/write-pprof.test.ts decodes the bytes with the
// generated schema and test/process/pprof-export.test.ts with `go tool pprof`.
import { gzipSync } from 'node:zlib';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { FoldedStacks } from '../stacks/folded.ts';

export interface PprofExportMeta {
  /** Sampling frequency in Hz; a sample then stands for 1/frequency of CPU time. */
  frequency: number;
  /** When the recording started (ms since the epoch) and how long it ran (ms). */
  startedAtMs: number;
  durationMs: number;
  /** Labels put on every sample, e.g. namespace and pod. */
  labels?: Readonly<Record<string, string>>;
}

// profile.proto's field numbers.
const PROFILE = { sampleType: 1, sample: 2, location: 4, function: 5, stringTable: 6 } as const;
const PROFILE_SCALAR = { timeNanos: 9, durationNanos: 10, periodType: 11, period: 12, defaultSampleType: 14 };
const SAMPLE = { locationId: 1, value: 2, label: 3 } as const;
const LOCATION = { id: 1, line: 4 } as const;
const FUNCTION = { id: 1, name: 2, systemName: 3 } as const;

const UINT32_MAX = 0xffff_ffff;

/** A non-negative integer as a varint; int64 and uint64 give the same bytes for these. */
function varint(w: BinaryWriter, value: number): BinaryWriter {
  return value <= UINT32_MAX ? w.uint32(value) : w.int64(value);
}

/** Interns strings into pprof's table, whose entry 0 must be the empty string. */
class StringTable {
  readonly strings: string[] = [''];
  readonly #index = new Map<string, number>([['', 0]]);

  of(value: string): number {
    let index = this.#index.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.#index.set(value, index);
    }
    return index;
  }
}

/** One function and one location per frame name, with the same id; ids count from 1, as pprof requires. */
class FrameTable {
  readonly #ids = new Map<string, number>();
  /** The string index of each frame's name, by id - 1. */
  readonly names: number[] = [];

  constructor(private readonly strings: StringTable) {}

  idOf(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      this.names.push(this.strings.of(name));
      id = this.names.length;
      this.#ids.set(name, id);
    }
    return id;
  }
}

/** The labels every sample carries, encoded once as Sample.label fields. */
function labelBytes(labels: Readonly<Record<string, string>>, strings: StringTable): Uint8Array {
  const w = new BinaryWriter();
  for (const [key, value] of Object.entries(labels)) {
    w.tag(SAMPLE.label, WireType.LengthDelimited).fork();
    w.tag(1, WireType.Varint).uint32(strings.of(key));
    w.tag(2, WireType.Varint).uint32(strings.of(value));
    w.join();
  }
  return w.finish();
}

function writeSamples(
  w: BinaryWriter,
  stacks: FoldedStacks,
  frames: FrameTable,
  label: Uint8Array,
  period: number,
) {
  const ids: number[] = [];
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    const names = stack.split(';');
    const value = Math.round(count);
    w.tag(PROFILE.sample, WireType.LengthDelimited).fork();
    w.tag(SAMPLE.locationId, WireType.LengthDelimited).fork();
    // Ids are given root first, as a reader lists a stack; written innermost first, as pprof orders them.
    for (let i = 0; i < names.length; i++) ids[i] = frames.idOf(names[i] as string);
    for (let i = names.length - 1; i >= 0; i--) w.uint32(ids[i] as number);
    w.join();
    w.tag(SAMPLE.value, WireType.LengthDelimited).fork();
    const cpuNanos = value * period;
    if (Number.isSafeInteger(cpuNanos)) varint(varint(w, value), cpuNanos);
    else varint(w, value).int64(BigInt(value) * BigInt(period));
    w.join();
    w.raw(label);
    w.join();
  }
}

function writeFrames(w: BinaryWriter, frames: FrameTable): void {
  for (let id = 1; id <= frames.names.length; id++) {
    // Location {id, line: [{function_id: id}]}
    w.tag(PROFILE.location, WireType.LengthDelimited).fork();
    w.tag(LOCATION.id, WireType.Varint).uint32(id);
    w.tag(LOCATION.line, WireType.LengthDelimited).fork().tag(1, WireType.Varint).uint32(id).join();
    w.join();
  }
  for (let id = 1; id <= frames.names.length; id++) {
    const name = frames.names[id - 1] as number;
    w.tag(PROFILE.function, WireType.LengthDelimited).fork();
    w.tag(FUNCTION.id, WireType.Varint).uint32(id);
    w.tag(FUNCTION.name, WireType.Varint).uint32(name);
    w.tag(FUNCTION.systemName, WireType.Varint).uint32(name);
    w.join();
  }
}

function writeValueType(w: BinaryWriter, field: number, type: number, unit: number): void {
  w.tag(field, WireType.LengthDelimited).fork();
  w.tag(1, WireType.Varint).uint32(type).tag(2, WireType.Varint).uint32(unit);
  w.join();
}

/** The profile's protobuf bytes, not yet gzipped. */
export function foldedToPprofBytes(stacks: FoldedStacks, meta: PprofExportMeta): Uint8Array {
  const strings = new StringTable();
  const frames = new FrameTable(strings);
  const period = Math.max(1, Math.round(1e9 / meta.frequency));
  const w = new BinaryWriter();
  const [samples, count, cpu, nanoseconds] = ['samples', 'count', 'cpu', 'nanoseconds'].map((s) =>
    strings.of(s),
  );
  writeValueType(w, PROFILE.sampleType, samples as number, count as number);
  writeValueType(w, PROFILE.sampleType, cpu as number, nanoseconds as number);
  writeSamples(w, stacks, frames, labelBytes(meta.labels ?? {}, strings), period);
  writeFrames(w, frames);
  for (const text of strings.strings) w.tag(PROFILE.stringTable, WireType.LengthDelimited).string(text);
  const timeNanos = BigInt(Math.round(meta.startedAtMs)) * 1_000_000n;
  const durationNanos = BigInt(Math.max(0, Math.round(meta.durationMs))) * 1_000_000n;
  if (timeNanos !== 0n) w.tag(PROFILE_SCALAR.timeNanos, WireType.Varint).int64(timeNanos);
  if (durationNanos !== 0n) w.tag(PROFILE_SCALAR.durationNanos, WireType.Varint).int64(durationNanos);
  writeValueType(w, PROFILE_SCALAR.periodType, cpu as number, nanoseconds as number);
  w.tag(PROFILE_SCALAR.period, WireType.Varint);
  varint(w, period);
  w.tag(PROFILE_SCALAR.defaultSampleType, WireType.Varint).uint32(cpu as number);
  return w.finish();
}

/** `profile.pb.gz`: the profile gzipped, as every pprof reader expects it. */
export function foldedToPprof(stacks: FoldedStacks, meta: PprofExportMeta): Buffer {
  return gzipSync(foldedToPprofBytes(stacks, meta));
}
