// The pprof Profile message (github.com/google/pprof, proto/profile.proto), decoded from its protobuf bytes
// (already gunzipped) into the parts a flame graph needs: sample types, samples, locations, functions and
// the string table. Mappings are kept for their file names; labels, comments and the rest are skipped. Pure.
import { bytesOf, readFields, repeatedVarints, varintOf, WireFormatError } from './protobuf-wire.ts';

export interface ValueType {
  type: string;
  unit: string;
}

export interface PprofSample {
  /** Innermost first, as pprof stores them. */
  locationIds: number[];
  values: number[];
}

export interface PprofLine {
  functionId: number;
  line: number;
}

export interface PprofLocation {
  id: number;
  mappingId: number;
  address: number;
  /** Innermost (inlined) function first; the last line is the function the code was inlined into. */
  lines: PprofLine[];
}

export interface PprofFunction {
  id: number;
  name: string;
  systemName: string;
  filename: string;
}

export interface PprofMapping {
  id: number;
  filename: string;
}

export interface PprofProfile {
  sampleTypes: ValueType[];
  samples: PprofSample[];
  locations: Map<number, PprofLocation>;
  functions: Map<number, PprofFunction>;
  mappings: PprofMapping[];
  periodType?: ValueType;
  period: number;
  durationNanos: number;
  /** The sample type pprof shows by default (its `type`), when the profile names one. */
  defaultSampleType?: string;
}

const decoder = new TextDecoder('utf-8');

/** Indices into the string table, resolved once the whole table has been read (it may come last). */
type Strings = (index: number) => string;

function stringAt(table: readonly string[]): Strings {
  return (index) => {
    const value = table[index];
    if (value === undefined)
      throw new WireFormatError(`string index ${index} is outside the table of ${table.length}`, 0);
    return value;
  };
}

function decodeValueType(bytes: Uint8Array): { type: number; unit: number } {
  const result = { type: 0, unit: 0 };
  for (const field of readFields(bytes)) {
    if (field.number === 1) result.type = varintOf(field);
    else if (field.number === 2) result.unit = varintOf(field);
  }
  return result;
}

function decodeSample(bytes: Uint8Array): PprofSample {
  const sample: PprofSample = { locationIds: [], values: [] };
  for (const field of readFields(bytes)) {
    if (field.number === 1) sample.locationIds.push(...repeatedVarints(field));
    else if (field.number === 2) sample.values.push(...repeatedVarints(field, true));
  }
  return sample;
}

function decodeLine(bytes: Uint8Array): PprofLine {
  const line: PprofLine = { functionId: 0, line: 0 };
  for (const field of readFields(bytes)) {
    if (field.number === 1) line.functionId = varintOf(field);
    else if (field.number === 2) line.line = varintOf(field, true);
  }
  return line;
}

function decodeLocation(bytes: Uint8Array): PprofLocation {
  const location: PprofLocation = { id: 0, mappingId: 0, address: 0, lines: [] };
  for (const field of readFields(bytes)) {
    if (field.number === 1) location.id = varintOf(field);
    else if (field.number === 2) location.mappingId = varintOf(field);
    else if (field.number === 3) location.address = varintOf(field);
    else if (field.number === 4) location.lines.push(decodeLine(bytesOf(field)));
  }
  return location;
}

/** A function with its string-table indices; names are resolved after the table is complete. */
function decodeFunction(bytes: Uint8Array): {
  id: number;
  name: number;
  systemName: number;
  filename: number;
} {
  const fn = { id: 0, name: 0, systemName: 0, filename: 0 };
  for (const field of readFields(bytes)) {
    if (field.number === 1) fn.id = varintOf(field);
    else if (field.number === 2) fn.name = varintOf(field);
    else if (field.number === 3) fn.systemName = varintOf(field);
    else if (field.number === 4) fn.filename = varintOf(field);
  }
  return fn;
}

function decodeMapping(bytes: Uint8Array): { id: number; filename: number } {
  const mapping = { id: 0, filename: 0 };
  for (const field of readFields(bytes)) {
    if (field.number === 1) mapping.id = varintOf(field);
    else if (field.number === 5) mapping.filename = varintOf(field);
  }
  return mapping;
}

interface RawProfile {
  sampleTypes: { type: number; unit: number }[];
  samples: PprofSample[];
  locations: PprofLocation[];
  functions: ReturnType<typeof decodeFunction>[];
  mappings: ReturnType<typeof decodeMapping>[];
  strings: string[];
  periodType?: { type: number; unit: number };
  period: number;
  durationNanos: number;
  defaultSampleType: number;
}

function readRaw(bytes: Uint8Array): RawProfile {
  const raw: RawProfile = {
    sampleTypes: [],
    samples: [],
    locations: [],
    functions: [],
    mappings: [],
    strings: [],
    period: 0,
    durationNanos: 0,
    defaultSampleType: 0,
  };
  for (const field of readFields(bytes)) {
    switch (field.number) {
      case 1:
        raw.sampleTypes.push(decodeValueType(bytesOf(field)));
        break;
      case 2:
        raw.samples.push(decodeSample(bytesOf(field)));
        break;
      case 3:
        raw.mappings.push(decodeMapping(bytesOf(field)));
        break;
      case 4:
        raw.locations.push(decodeLocation(bytesOf(field)));
        break;
      case 5:
        raw.functions.push(decodeFunction(bytesOf(field)));
        break;
      case 6:
        raw.strings.push(decoder.decode(bytesOf(field)));
        break;
      case 10:
        raw.durationNanos = varintOf(field, true);
        break;
      case 11:
        raw.periodType = decodeValueType(bytesOf(field));
        break;
      case 12:
        raw.period = varintOf(field, true);
        break;
      case 14:
        raw.defaultSampleType = varintOf(field);
        break;
      default: // drop/keep frames, time, comments: not needed for a flame graph
    }
  }
  return raw;
}

/** Decodes an uncompressed pprof profile; throws WireFormatError on bytes that are not one. */
export function decodeProfile(bytes: Uint8Array): PprofProfile {
  const raw = readRaw(bytes);
  const strings = raw.strings.length === 0 ? [''] : raw.strings;
  if (strings[0] !== '')
    throw new WireFormatError('the string table does not start with the empty string', 0);
  const text = stringAt(strings);
  const valueType = (v: { type: number; unit: number }): ValueType => ({
    type: text(v.type),
    unit: text(v.unit),
  });
  const profile: PprofProfile = {
    sampleTypes: raw.sampleTypes.map(valueType),
    samples: raw.samples,
    locations: new Map(raw.locations.map((l) => [l.id, l])),
    functions: new Map(
      raw.functions.map((f) => [
        f.id,
        { id: f.id, name: text(f.name), systemName: text(f.systemName), filename: text(f.filename) },
      ]),
    ),
    mappings: raw.mappings.map((m) => ({ id: m.id, filename: text(m.filename) })),
    period: raw.period,
    durationNanos: raw.durationNanos,
  };
  if (raw.periodType !== undefined) profile.periodType = valueType(raw.periodType);
  if (raw.defaultSampleType !== 0) profile.defaultSampleType = text(raw.defaultSampleType);
  return profile;
}
