// The small, fixed parts of an OTLP profiles request (opentelemetry-proto, profiles/v1development), written
// field by field with @bufbuild/protobuf's BinaryWriter at field numbers read from the generated schema:
// the resource and its attributes, the instrumentation scope, the profile's sample and period types, start,
// duration and period, and the dictionary's zero entries that Furnace does not otherwise fill (mapping,
// link, attribute). As the library's toBinary writes them, fields in number order and a zero scalar left
// out, so the bytes are those the generated messages give; writing them here spares a recording's first
// export the library's reflection (describing each message's fields and compiling its writer) and the
// message objects. test/unit/write-otlp.test.ts decodes them with the generated schema. Pure.
import { WireType, type BinaryWriter } from '@bufbuild/protobuf/wire';
import { fieldNumbers } from '../proto/field-numbers.ts';
import {
  AnyValueSchema,
  InstrumentationScopeSchema,
  KeyValueSchema,
} from '../proto/gen/opentelemetry/proto/common/v1/common_pb.ts';
import {
  LinkSchema,
  ProfileSchema,
  ProfilesDictionarySchema,
  ResourceProfilesSchema,
  ValueTypeSchema,
} from '../proto/gen/opentelemetry/proto/profiles/v1development/profiles_pb.ts';
import { ResourceSchema } from '../proto/gen/opentelemetry/proto/resource/v1/resource_pb.ts';

const RESOURCE_PROFILES = fieldNumbers(ResourceProfilesSchema, ['resource']);
const RESOURCE = fieldNumbers(ResourceSchema, ['attributes']);
const KEY_VALUE = fieldNumbers(KeyValueSchema, ['key', 'value']);
const ANY_VALUE = fieldNumbers(AnyValueSchema, ['stringValue']);
const SCOPE = fieldNumbers(InstrumentationScopeSchema, ['name', 'version']);
const PROFILE = fieldNumbers(ProfileSchema, [
  'sampleType',
  'timeUnixNano',
  'durationNano',
  'periodType',
  'period',
]);
const VALUE_TYPE = fieldNumbers(ValueTypeSchema, ['typeStrindex', 'unitStrindex']);
const DICTIONARY = fieldNumbers(ProfilesDictionarySchema, ['mappingTable', 'linkTable', 'attributeTable']);
const LINK = fieldNumbers(LinkSchema, ['traceId', 'spanId']);

/** Link.trace_id and span_id of the link table's zero entry: all-zero ids of their fixed sizes. */
const ZERO_TRACE_ID = new Uint8Array(16);
const ZERO_SPAN_ID = new Uint8Array(8);

/** A string field, left out when empty (proto3). */
function text(w: BinaryWriter, field: number, value: string): void {
  if (value !== '') w.tag(field, WireType.LengthDelimited).string(value);
}

/** ResourceProfiles.resource: a Resource whose attributes have string values. */
export function writeResource(w: BinaryWriter, attributes: Readonly<Record<string, string>>): void {
  w.tag(RESOURCE_PROFILES.resource, WireType.LengthDelimited).fork();
  for (const [key, value] of Object.entries(attributes)) {
    w.tag(RESOURCE.attributes, WireType.LengthDelimited).fork();
    text(w, KEY_VALUE.key, key);
    w.tag(KEY_VALUE.value, WireType.LengthDelimited).fork();
    // A oneof member is written even when empty: it says which case is set.
    w.tag(ANY_VALUE.stringValue, WireType.LengthDelimited).string(value);
    w.join().join();
  }
  w.join();
}

/** An InstrumentationScope as the field `field` of the enclosing message. */
export function writeScope(w: BinaryWriter, field: number, scope: { name: string; version?: string }): void {
  w.tag(field, WireType.LengthDelimited).fork();
  text(w, SCOPE.name, scope.name);
  text(w, SCOPE.version, scope.version ?? '');
  w.join();
}

function writeValueType(w: BinaryWriter, field: number, type: number, unit: number): void {
  w.tag(field, WireType.LengthDelimited).fork();
  if (type !== 0) w.tag(VALUE_TYPE.typeStrindex, WireType.Varint).int32(type);
  if (unit !== 0) w.tag(VALUE_TYPE.unitStrindex, WireType.Varint).int32(unit);
  w.join();
}

export interface ProfileHead {
  /** String indices of the sample type (samples/count) and the period type (cpu/nanoseconds). */
  sampleType: readonly [number, number];
  periodType: readonly [number, number];
  timeUnixNano: bigint;
  durationNano: bigint;
  period: bigint;
}

/** A Profile's fields but its samples: the types, start, duration and period. */
export function writeProfileHead(w: BinaryWriter, head: ProfileHead): void {
  writeValueType(w, PROFILE.sampleType, ...head.sampleType);
  if (head.timeUnixNano !== 0n) w.tag(PROFILE.timeUnixNano, WireType.Bit64).fixed64(head.timeUnixNano);
  if (head.durationNano !== 0n) w.tag(PROFILE.durationNano, WireType.Varint).uint64(head.durationNano);
  writeValueType(w, PROFILE.periodType, ...head.periodType);
  if (head.period !== 0n) w.tag(PROFILE.period, WireType.Varint).int64(head.period);
}

/** The zero entries of the dictionary's mapping, link and attribute tables, which are all they hold. */
export function writeZeroEntries(w: BinaryWriter): void {
  w.tag(DICTIONARY.mappingTable, WireType.LengthDelimited).fork().join();
  w.tag(DICTIONARY.linkTable, WireType.LengthDelimited).fork();
  w.tag(LINK.traceId, WireType.LengthDelimited).bytes(ZERO_TRACE_ID);
  w.tag(LINK.spanId, WireType.LengthDelimited).bytes(ZERO_SPAN_ID);
  w.join();
  w.tag(DICTIONARY.attributeTable, WireType.LengthDelimited).fork().join();
}
