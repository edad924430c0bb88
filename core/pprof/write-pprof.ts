// Folded stacks → a pprof profile (github.com/google/pprof, proto/profile.proto), gzipped as `go tool pprof`,
// Pyroscope and Parca read it: sample types samples/count and cpu/nanoseconds (one sample is one period,
// 1/frequency), one function and one location per distinct frame name, samples innermost first, and the
// recording's namespace and pod as labels of every sample. Encoded by @bufbuild/protobuf from the generated
// schema (core/proto/). Pure but for gzip.
import { gzipSync } from 'node:zlib';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { ProfileSchema, type LabelSchema, type SampleSchema } from '../proto/gen/pprof/profile_pb.ts';

type SampleInit = MessageInitShape<typeof SampleSchema>;
type LabelInit = MessageInitShape<typeof LabelSchema>;
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
  readonly names: string[] = [];

  idOf(name: string): bigint {
    let id = this.#ids.get(name);
    if (id === undefined) {
      this.names.push(name);
      id = BigInt(this.names.length);
      this.#ids.set(name, id);
    }
    return id;
  }
}

function samplesOf(
  stacks: FoldedStacks,
  frames: FrameTable,
  label: LabelInit[],
  periodNanos: bigint,
): SampleInit[] {
  const samples: SampleInit[] = [];
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    const locationId = stack
      .split(';')
      .map((name) => frames.idOf(name))
      .reverse();
    const value = BigInt(Math.round(count));
    samples.push({ locationId, value: [value, value * periodNanos], label });
  }
  return samples;
}

/** The profile's protobuf bytes, not yet gzipped. */
export function foldedToPprofBytes(stacks: FoldedStacks, meta: PprofExportMeta): Uint8Array {
  const strings = new StringTable();
  const frames = new FrameTable();
  const periodNanos = BigInt(Math.max(1, Math.round(1e9 / meta.frequency)));
  const labels = Object.entries(meta.labels ?? {}).map(([key, value]) => ({
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
    function: frames.names.map((name, i) => ({
      id: BigInt(i + 1),
      name: strings.of(name),
      systemName: strings.of(name),
    })),
    location: frames.names.map((_, i) => ({ id: BigInt(i + 1), line: [{ functionId: BigInt(i + 1) }] })),
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
