// Folded stacks → an OTLP profiles request (opentelemetry-proto, profiles/v1development, the collector's
// ExportProfilesServiceRequest): one resource with the recording's attributes, one scope, one profile of
// samples/count at a cpu/nanoseconds period of 1/frequency, and the dictionary its indices point into.
// Every dictionary table starts with its zero value, as the spec requires (string_table[0] is ""), and
// holds no duplicates: one string per distinct text, one function and one location per frame name, one
// stack per folded stack (leaf first). Encoded by @bufbuild/protobuf from the generated schema
// (core/proto/). Pure.
import { create, toBinary } from '@bufbuild/protobuf';
import { ExportProfilesServiceRequestSchema } from '../proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import {
  FunctionSchema,
  LineSchema,
  LocationSchema,
  SampleSchema,
  StackSchema,
  type Function as OtlpFunction,
  type Location,
  type Sample,
  type Stack,
} from '../proto/gen/opentelemetry/proto/profiles/v1development/profiles_pb.ts';
import type { FoldedStacks } from '../stacks/folded.ts';

// Zero messages made once by the library: each table entry is a copy with its own fields set, which is
// several times faster than create() per entry on a profile of 100,000 stacks.
const ZERO = {
  function: create(FunctionSchema),
  line: create(LineSchema),
  location: create(LocationSchema),
  stack: create(StackSchema),
  sample: create(SampleSchema),
};

export interface OtlpExportMeta {
  /** Sampling frequency in Hz; a sample then stands for 1/frequency of CPU time. */
  frequency: number;
  /** When the recording started (ms since the epoch) and how long it ran (ms). */
  startedAtMs: number;
  durationMs: number;
  /** The resource's attributes, e.g. k8s.namespace.name and service.name (string values). */
  resource?: Readonly<Record<string, string>>;
  /** The instrumentation scope: who made the profile. */
  scope?: { name: string; version?: string };
}

/** The dictionary's tables as they fill up; index 0 of each is its zero value. */
class Dictionary {
  readonly strings: string[] = [''];
  readonly functions: OtlpFunction[] = [ZERO.function];
  readonly locations: Location[] = [ZERO.location];
  readonly stacks: Stack[] = [ZERO.stack];
  readonly #stringIndex = new Map<string, number>([['', 0]]);
  readonly #locationIndex = new Map<string, number>();

  string(value: string): number {
    let index = this.#stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.#stringIndex.set(value, index);
    }
    return index;
  }

  /** The location of a frame name, with its function made alongside (both at the same index). */
  location(name: string): number {
    let index = this.#locationIndex.get(name);
    if (index === undefined) {
      index = this.locations.length;
      const nameIndex = this.string(name);
      this.functions.push({ ...ZERO.function, nameStrindex: nameIndex, systemNameStrindex: nameIndex });
      this.locations.push({ ...ZERO.location, lines: [{ ...ZERO.line, functionIndex: index }] });
      this.#locationIndex.set(name, index);
    }
    return index;
  }

  /** A new stack of the frames of one folded stack (root first there, leaf first here). */
  stack(folded: string): number {
    const frames = folded.split(';');
    const locationIndices = new Array<number>(frames.length);
    for (let i = 0; i < frames.length; i++)
      locationIndices[frames.length - 1 - i] = this.location(frames[i] as string);
    this.stacks.push({ ...ZERO.stack, locationIndices });
    return this.stacks.length - 1;
  }
}

function samplesOf(stacks: FoldedStacks, dictionary: Dictionary): Sample[] {
  const samples: Sample[] = [];
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    samples.push({
      ...ZERO.sample,
      stackIndex: dictionary.stack(stack),
      values: [BigInt(Math.round(count))],
    });
  }
  return samples;
}

/** The request as a message: what a test or a sink may look into before it is encoded. */
export function foldedToOtlpRequest(stacks: FoldedStacks, meta: OtlpExportMeta) {
  const dictionary = new Dictionary();
  const samples = samplesOf(stacks, dictionary);
  const profile = {
    sampleType: { typeStrindex: dictionary.string('samples'), unitStrindex: dictionary.string('count') },
    samples,
    timeUnixNano: BigInt(Math.round(meta.startedAtMs)) * 1_000_000n,
    durationNano: BigInt(Math.max(0, Math.round(meta.durationMs))) * 1_000_000n,
    periodType: { typeStrindex: dictionary.string('cpu'), unitStrindex: dictionary.string('nanoseconds') },
    period: BigInt(Math.max(1, Math.round(1e9 / meta.frequency))),
  };
  const attributes = Object.entries(meta.resource ?? {}).map(([key, value]) => ({
    key,
    value: { value: { case: 'stringValue' as const, value } },
  }));
  return create(ExportProfilesServiceRequestSchema, {
    resourceProfiles: [
      {
        resource: { attributes },
        scopeProfiles: [{ scope: meta.scope ?? { name: 'furnace' }, profiles: [profile] }],
      },
    ],
    dictionary: {
      mappingTable: [{}],
      locationTable: dictionary.locations,
      functionTable: dictionary.functions,
      linkTable: [{ traceId: new Uint8Array(16), spanId: new Uint8Array(8) }],
      stringTable: dictionary.strings,
      attributeTable: [{}],
      stackTable: dictionary.stacks,
    },
  });
}

/** `profile.otlp.pb`: the request's protobuf bytes, as an OTLP/HTTP client POSTs them to /v1development/profiles. */
export function foldedToOtlp(stacks: FoldedStacks, meta: OtlpExportMeta): Uint8Array {
  return toBinary(ExportProfilesServiceRequestSchema, foldedToOtlpRequest(stacks, meta));
}
