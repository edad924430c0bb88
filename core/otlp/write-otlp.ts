// Folded stacks → an OTLP profiles request (opentelemetry-proto, profiles/v1development, the collector's
// ExportProfilesServiceRequest): one resource with the recording's attributes, one scope, one profile of
// samples/count at a cpu/nanoseconds period of 1/frequency, and the dictionary its indices point into.
// Every dictionary table starts with its zero value, as the spec requires (string_table[0] is ""), and
// holds no duplicates: one string per distinct text, one function and one location per frame name, one
// stack per folded stack (leaf first). Pure.
//
// Encoded by @bufbuild/protobuf from the generated schema (core/proto/): the small, fixed parts (resource,
// scope, the profile's types and times, the mapping, link and attribute tables' zero entries) as generated
// messages with toBinary; the tables that grow with the recording (samples, stacks, locations, functions,
// strings) field by field with the library's BinaryWriter, at field numbers read from the same schema, from
// the interned tables the pprof writer shares (core/stacks/interned.ts). A message's encoding is the
// concatenation of its fields' encodings in any order, so the two halves of each message simply follow
// each other. Building 100,000 stack messages and their int64 values as bigint cost twice the time and
// several times the memory of the rest of the export. (The small parts' toBinary costs a recording's first
// export 1–4 ms and 0.2 MB of heap for the library's reflection: kept, rather than writing those fields by
// hand.)
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { fieldNumbers } from '../proto/field-numbers.ts';
import { packedLocations } from '../proto/packed-locations.ts';
import { writeStringTable } from '../proto/string-table.ts';
import { ExportProfilesServiceRequestSchema } from '../proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import {
  FunctionSchema,
  LineSchema,
  LocationSchema,
  ProfileSchema,
  ProfilesDictionarySchema,
  ResourceProfilesSchema,
  SampleSchema,
  ScopeProfilesSchema,
  StackSchema,
} from '../proto/gen/opentelemetry/proto/profiles/v1development/profiles_pb.ts';
import type { FoldedStacks } from '../stacks/folded.ts';
import { interned, ProfileStrings, stackCount, type InternedStacks } from '../stacks/interned.ts';

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
  /** What the values are when not samples (`off_cpu`/`nanoseconds`): the sample type then, with no period. */
  valueType?: { type: string; unit: string };
}

const REQUEST = fieldNumbers(ExportProfilesServiceRequestSchema, ['resourceProfiles', 'dictionary']);
const RESOURCE_PROFILES = fieldNumbers(ResourceProfilesSchema, ['scopeProfiles']);
const SCOPE_PROFILES = fieldNumbers(ScopeProfilesSchema, ['profiles']);
const PROFILE = fieldNumbers(ProfileSchema, ['samples']);
const SAMPLE = fieldNumbers(SampleSchema, ['stackIndex', 'values']);
const DICTIONARY = fieldNumbers(ProfilesDictionarySchema, [
  'locationTable',
  'functionTable',
  'stringTable',
  'stackTable',
]);
const STACK = fieldNumbers(StackSchema, ['locationIndices']);
const LOCATION = fieldNumbers(LocationSchema, ['lines']);
const LINE = fieldNumbers(LineSchema, ['functionIndex']);
const FUNCTION = fieldNumbers(FunctionSchema, ['nameStrindex', 'systemNameStrindex']);

const EMPTY = new Uint8Array(0);

/** The profile: its types and times, then one sample per stack. */
function writeProfile(
  w: BinaryWriter,
  tables: InternedStacks,
  strings: ProfileStrings,
  meta: OtlpExportMeta,
): void {
  const times = {
    timeUnixNano: BigInt(Math.round(meta.startedAtMs)) * 1_000_000n,
    durationNano: BigInt(Math.max(0, Math.round(meta.durationMs))) * 1_000_000n,
  };
  const measured = meta.valueType;
  const head = create(
    ProfileSchema,
    measured === undefined
      ? {
          sampleType: { typeStrindex: strings.of('samples'), unitStrindex: strings.of('count') },
          ...times,
          periodType: { typeStrindex: strings.of('cpu'), unitStrindex: strings.of('nanoseconds') },
          period: BigInt(Math.max(1, Math.round(1e9 / meta.frequency))),
        }
      : {
          sampleType: { typeStrindex: strings.of(measured.type), unitStrindex: strings.of(measured.unit) },
          ...times,
        },
  );
  w.raw(toBinary(ProfileSchema, head));
  for (let s = 0; s < stackCount(tables); s++) {
    w.tag(PROFILE.samples, WireType.LengthDelimited).fork();
    w.tag(SAMPLE.stackIndex, WireType.Varint).int32(s + 1);
    const count = tables.counts[s] as number;
    // A non-negative int64 is the same varint as a uint32 below 2^32, which needs no 64-bit arithmetic.
    w.tag(SAMPLE.values, WireType.LengthDelimited).fork();
    (count <= 0xffff_ffff ? w.uint32(count) : w.int64(count)).join();
    w.join();
  }
}

/** Stacks per piece of the dictionary (see foldedToOtlp): about 75 kB on the bench's recording. */
const STACKS_PER_PIECE = 1024;

/**
 * The dictionary: the zero entries of the small tables, then the grown tables; `cut` takes what the writer
 * holds as a piece, between entries.
 */
function writeDictionary(
  w: BinaryWriter,
  tables: InternedStacks,
  strings: ProfileStrings,
  cut: () => void,
): void {
  const fixed = create(ProfilesDictionarySchema, {
    mappingTable: [{}],
    linkTable: [{ traceId: new Uint8Array(16), spanId: new Uint8Array(8) }],
    attributeTable: [{}],
  });
  w.raw(toBinary(ProfilesDictionarySchema, fixed));
  const frameCount = tables.names.length;
  w.tag(DICTIONARY.locationTable, WireType.LengthDelimited).bytes(EMPTY);
  for (let i = 1; i <= frameCount; i++) {
    w.tag(DICTIONARY.locationTable, WireType.LengthDelimited).fork();
    w.tag(LOCATION.lines, WireType.LengthDelimited)
      .fork()
      .tag(LINE.functionIndex, WireType.Varint)
      .int32(i)
      .join();
    w.join();
  }
  w.tag(DICTIONARY.functionTable, WireType.LengthDelimited).bytes(EMPTY);
  for (let i = 1; i <= frameCount; i++) {
    w.tag(DICTIONARY.functionTable, WireType.LengthDelimited).fork();
    w.tag(FUNCTION.nameStrindex, WireType.Varint).int32(i);
    w.tag(FUNCTION.systemNameStrindex, WireType.Varint).int32(i);
    w.join();
  }
  cut();
  w.tag(DICTIONARY.stackTable, WireType.LengthDelimited).bytes(EMPTY);
  // Leaf first, the same bytes as pprof's location ids (core/proto/packed-locations.ts).
  const locations = packedLocations(tables);
  for (let s = 0; s < stackCount(tables); s++) {
    if (s % STACKS_PER_PIECE === STACKS_PER_PIECE - 1) cut();
    w.tag(DICTIONARY.stackTable, WireType.LengthDelimited).fork();
    // The packed list's length is known: bytes() writes it before the list, where fork() and join() would
    // move a list of 128 bytes or more to widen the length they guessed.
    w.tag(STACK.locationIndices, WireType.LengthDelimited).bytes(locations[s] as Uint8Array);
    w.join();
  }
  cut();
  writeStringTable(w, DICTIONARY.stringTable, strings, cut);
}

/**
 * `profile.otlp.pb`: the request's protobuf bytes in pieces that follow each other as one message, as an
 * OTLP/HTTP client POSTs them to /v1development/profiles. The dictionary, nearly all of them, is taken from
 * the writer in pieces, so the writer's buffer stays at a few hundred kB instead of doubling up to the whole
 * request (on the bench's recording 1.5 MB less allocated by a cold export); its tag and length follow from
 * the pieces. A caller that writes the pieces to a file one after the other (the sidecar) never holds the
 * request in one buffer, which would be a second copy of it (0.56 MB on the bench's recording). A writer
 * passed in is reset when done and keeps the room it grew to.
 */
export function otlpPieces(
  stacks: FoldedStacks | InternedStacks,
  meta: OtlpExportMeta,
  w = new BinaryWriter(),
): Uint8Array[] {
  const tables = interned(stacks);
  packedLocations(tables, w); // before anything is written: it takes the writer's bytes
  const strings = new ProfileStrings(tables);
  w.tag(REQUEST.resourceProfiles, WireType.LengthDelimited).fork();
  const attributes = Object.entries(meta.resource ?? {}).map(([key, value]) => ({
    key,
    value: { value: { case: 'stringValue' as const, value } },
  }));
  w.raw(toBinary(ResourceProfilesSchema, create(ResourceProfilesSchema, { resource: { attributes } })));
  w.tag(RESOURCE_PROFILES.scopeProfiles, WireType.LengthDelimited).fork();
  const scope = create(ScopeProfilesSchema, { scope: meta.scope ?? { name: 'furnace' } });
  w.raw(toBinary(ScopeProfilesSchema, scope));
  w.tag(SCOPE_PROFILES.profiles, WireType.LengthDelimited).fork();
  writeProfile(w, tables, strings, meta);
  w.join().join().join();
  const resourceProfiles = w.finish();
  const dictionary: Uint8Array[] = [];
  let length = 0;
  const cut = () => {
    const piece = w.finish();
    dictionary.push(piece);
    length += piece.length;
  };
  writeDictionary(w, tables, strings, cut);
  cut();
  // The dictionary field's tag and length, as BinaryWriter.bytes() writes them before a payload.
  const head = w.tag(REQUEST.dictionary, WireType.LengthDelimited).uint32(length).finish();
  return [resourceProfiles, head, ...dictionary];
}

/** `profile.otlp.pb` in one buffer: its pieces (see otlpPieces) one after the other. */
export function foldedToOtlp(
  stacks: FoldedStacks | InternedStacks,
  meta: OtlpExportMeta,
  w?: BinaryWriter,
): Uint8Array {
  return Buffer.concat(otlpPieces(stacks, meta, w));
}
