// Folded stacks → a pprof profile (github.com/google/pprof, proto/profile.proto), gzipped as `go tool pprof`,
// Pyroscope and Parca read it: sample types samples/count and cpu/nanoseconds (one sample is one period,
// 1/frequency), one function and one location per distinct frame name, samples innermost first, and the
// recording's labels (namespace, pod, container, service_name: core/export/) on every sample. Encoded by
// @bufbuild/protobuf from the generated schema (core/proto/). Pure but for gzip.
import { gzipSync } from 'node:zlib';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  FunctionSchema,
  LabelSchema,
  LineSchema,
  LocationSchema,
  ProfileSchema,
  SampleSchema,
  type Function as PprofFunction,
  type Label,
  type Location,
  type Sample,
} from '../proto/gen/pprof/profile_pb.ts';
import type { FoldedStacks } from '../stacks/folded.ts';

// Zero messages made once by the library: each entry is a copy with its own fields set, several times
// faster than create() per entry on a profile of 100,000 stacks.
const ZERO = {
  function: create(FunctionSchema),
  label: create(LabelSchema),
  line: create(LineSchema),
  location: create(LocationSchema),
  sample: create(SampleSchema),
};

export interface PprofExportMeta {
  /** Sampling frequency in Hz; a sample then stands for 1/frequency of CPU time. */
  frequency: number;
  /** When the recording started (ms since the epoch) and how long it ran (ms). */
  startedAtMs: number;
  durationMs: number;
  /** Labels put on every sample, e.g. namespace and pod. */
  labels?: Readonly<Record<string, string>>;
}

/** Interns strings into pprof's table, whose entry 0 must be the empty string. */
class StringTable {
  readonly strings: string[] = [''];
  readonly #index = new Map<string, bigint>([['', 0n]]);

  of(value: string): bigint {
    let index = this.#index.get(value);
    if (index === undefined) {
      index = BigInt(this.strings.length);
      this.strings.push(value);
      this.#index.set(value, index);
    }
    return index;
  }
}

/** One function and one location per frame name; both ids count from 1, as pprof requires. */
class FrameTable {
  readonly #ids = new Map<string, bigint>();
  readonly functions: PprofFunction[] = [];
  readonly locations: Location[] = [];

  constructor(private readonly strings: StringTable) {}

  idOf(name: string): bigint {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = BigInt(this.functions.length + 1);
      const text = this.strings.of(name);
      this.functions.push({ ...ZERO.function, id, name: text, systemName: text });
      this.locations.push({ ...ZERO.location, id, line: [{ ...ZERO.line, functionId: id }] });
      this.#ids.set(name, id);
    }
    return id;
  }
}

function samplesOf(stacks: FoldedStacks, frames: FrameTable, label: Label[], periodNanos: bigint): Sample[] {
  const samples: Sample[] = [];
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    const names = stack.split(';');
    const locationId = new Array<bigint>(names.length);
    for (let i = 0; i < names.length; i++) locationId[names.length - 1 - i] = frames.idOf(names[i] as string);
    const value = BigInt(Math.round(count));
    samples.push({ ...ZERO.sample, locationId, value: [value, value * periodNanos], label });
  }
  return samples;
}

/** The profile's protobuf bytes, not yet gzipped. */
export function foldedToPprofBytes(stacks: FoldedStacks, meta: PprofExportMeta): Uint8Array {
  const strings = new StringTable();
  const frames = new FrameTable(strings);
  const periodNanos = BigInt(Math.max(1, Math.round(1e9 / meta.frequency)));
  const labels = Object.entries(meta.labels ?? {}).map(([key, value]) => ({
    ...ZERO.label,
    key: strings.of(key),
    str: strings.of(value),
  }));
  const sample = samplesOf(stacks, frames, labels, periodNanos);
  const profile = create(ProfileSchema, {
    sampleType: [
      { type: strings.of('samples'), unit: strings.of('count') },
      { type: strings.of('cpu'), unit: strings.of('nanoseconds') },
    ],
    sample,
    function: frames.functions,
    location: frames.locations,
    timeNanos: BigInt(Math.round(meta.startedAtMs)) * 1_000_000n,
    durationNanos: BigInt(Math.round(meta.durationMs)) * 1_000_000n,
    periodType: { type: strings.of('cpu'), unit: strings.of('nanoseconds') },
    period: periodNanos,
    defaultSampleType: strings.of('cpu'),
  });
  profile.stringTable = strings.strings;
  return toBinary(ProfileSchema, profile);
}

/** `profile.pb.gz`: the profile gzipped, as every pprof reader expects it. */
export function foldedToPprof(stacks: FoldedStacks, meta: PprofExportMeta): Buffer {
  return gzipSync(foldedToPprofBytes(stacks, meta));
}
