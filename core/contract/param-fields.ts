// The machinery of a parameter table: each field's type and bounds, from which the JSON schema and the
// validator of a request are both made (core/contract/recording-params.ts holds the tables). Pure.
import { FurnaceError } from './errors.ts';
import type { RecordingLimits } from './limits.ts';

/** An RFC 3339 time as `Date.prototype.toISOString` writes it (an offset is accepted too). */
export const TIMESTAMP_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$';

export type Field =
  | { type: 'integer'; max: (limits: Readonly<RecordingLimits>) => number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'string'; maxLength: number; regex?: boolean; pattern?: string; describe?: string }
  | { type: 'boolean' }
  /** An RFC 3339 time (TIMESTAMP_PATTERN) that names a real instant. */
  | { type: 'timestamp' }
  /** A list of distinct names, each matching `pattern` (`sinks`). */
  | { type: 'names'; maxItems: number; pattern: string; describe: string }
  | {
      type: 'object';
      fields: FieldTable;
      defaults?: Readonly<Record<string, unknown>>;
      /** Fields the object must have (`bpftrace.program`). */
      required?: readonly string[];
    };

export type FieldTable = Readonly<Record<string, Field>>;

function fieldSchema(field: Field, limits: Readonly<RecordingLimits>): object {
  switch (field.type) {
    case 'integer':
      return { type: 'integer', minimum: 1, maximum: field.max(limits) };
    case 'enum':
      return { type: 'string', enum: [...field.values] };
    case 'string':
      return {
        type: 'string',
        minLength: 1,
        maxLength: field.maxLength,
        ...(field.pattern === undefined ? {} : { pattern: field.pattern }),
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'timestamp':
      return { type: 'string', maxLength: 40, pattern: TIMESTAMP_PATTERN };
    case 'names':
      return {
        type: 'array',
        maxItems: field.maxItems,
        uniqueItems: true,
        items: { type: 'string', pattern: field.pattern },
      };
    case 'object': {
      const schema = tableSchema(field.fields, limits, field.defaults ?? {});
      return field.required === undefined ? schema : { ...schema, required: [...field.required] };
    }
  }
}

/** The JSON schema of an object made of these fields (defaults shown, unknown fields refused). */
export function tableSchema(
  table: FieldTable,
  limits: Readonly<RecordingLimits>,
  defaults: Readonly<Record<string, unknown>>,
): object {
  const properties = Object.fromEntries(
    Object.entries(table).map(([name, field]) => [
      name,
      { ...fieldSchema(field, limits), ...(name in defaults ? { default: defaults[name] } : {}) },
    ]),
  );
  return { type: 'object', additionalProperties: false, properties };
}

export function invalid(field: string, value: unknown, allowed: string): FurnaceError {
  return new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `${field} ${JSON.stringify(value)} is invalid: ${allowed}`,
    {
      field,
      value,
      allowed,
    },
  );
}

function checkInteger(name: string, value: unknown, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(name, value, 'must be an integer');
  if (value >= 1 && value <= max) return;
  const limit = `must be between 1 and ${max}`;
  throw new FurnaceError('ERR_LIMIT_EXCEEDED', `${name} ${JSON.stringify(value)} is out of range: ${limit}`, {
    field: name,
    value,
    limit,
  });
}

function checkRegex(name: string, value: string): void {
  try {
    new RegExp(value);
  } catch {
    throw invalid(name, value, 'must be a valid regular expression');
  }
}

function checkString(name: string, value: unknown, field: Extract<Field, { type: 'string' }>): void {
  if (typeof value === 'string' && value.length > field.maxLength) {
    // Named by its length, not echoed: a 16 KiB program in an error message helps nobody.
    const limit = `must be at most ${field.maxLength} characters`;
    throw new FurnaceError('ERR_INVALID_PARAMETER', `${name} has ${value.length} characters: ${limit}`, {
      field: name,
      limit,
    });
  }
  if (typeof value !== 'string' || value.length === 0)
    throw invalid(name, value, `must be a non-empty string of at most ${field.maxLength} characters`);
  if (field.pattern !== undefined && !new RegExp(field.pattern).test(value))
    throw invalid(name, value, field.describe ?? `must match ${field.pattern}`);
  if (field.regex === true) checkRegex(name, value);
}

function checkNames(name: string, value: unknown, field: Extract<Field, { type: 'names' }>): string[] {
  if (!Array.isArray(value)) throw invalid(name, value, `must be a list of names (${field.describe})`);
  if (value.length > field.maxItems) {
    const limit = `must hold at most ${field.maxItems} names`;
    throw new FurnaceError('ERR_INVALID_PARAMETER', `${name} has ${value.length} names: ${limit}`, {
      field: name,
      limit,
    });
  }
  const pattern = new RegExp(field.pattern);
  for (const [index, item] of value.entries())
    if (typeof item !== 'string' || !pattern.test(item))
      throw invalid(`${name}[${index}]`, item, field.describe);
  if (new Set(value).size !== value.length) throw invalid(name, value, 'must not name one twice');
  return value as string[];
}

function checkField(name: string, field: Field, value: unknown, limits: Readonly<RecordingLimits>): unknown {
  switch (field.type) {
    case 'integer':
      checkInteger(name, value, field.max(limits));
      return value;
    case 'enum':
      if (typeof value === 'string' && field.values.includes(value)) return value;
      throw invalid(name, value, `must be one of ${field.values.join(', ')}`);
    case 'string':
      checkString(name, value, field);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(name, value, 'must be a boolean (true or false)');
      return value;
    case 'timestamp':
      if (typeof value === 'string' && value.length <= 40 && new RegExp(TIMESTAMP_PATTERN).test(value))
        if (Number.isFinite(Date.parse(value))) return value;
      throw invalid(name, value, 'must be an RFC 3339 time such as 2026-11-26T18:00:00Z');
    case 'names':
      return checkNames(name, value, field);
    case 'object':
      return checkObject(name, field, value, limits);
  }
}

function checkObject(
  name: string,
  field: Extract<Field, { type: 'object' }>,
  value: unknown,
  limits: Readonly<RecordingLimits>,
): Record<string, unknown> {
  const checked = checkTable(value, field.fields, limits, name);
  const missing = field.required?.find((key) => checked[key] === undefined);
  if (missing !== undefined)
    throw new FurnaceError('ERR_INVALID_PARAMETER', `${name}.${missing} is required`, {
      field: `${name}.${missing}`,
    });
  return checked;
}

/**
 * Checks an object against a table: unknown fields are refused, each known one is checked (nested objects
 * too; their errors name the path, `pprof.port`). Returns the fields given, undefined ones left out; no
 * defaults are applied here.
 */
export function checkTable(
  input: unknown,
  table: FieldTable,
  limits: Readonly<RecordingLimits>,
  prefix = '',
): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid(prefix === '' ? 'body' : prefix, input, 'must be a JSON object');
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    const field = Object.hasOwn(table, key) ? table[key] : undefined;
    if (field === undefined) {
      throw new FurnaceError('ERR_INVALID_PARAMETER', `${name} is not a known parameter`, {
        field: name,
        allowed: Object.keys(table).join(', '),
      });
    }
    if (value !== undefined) checked[key] = checkField(name, field, value, limits);
  }
  return checked;
}
