// The parameters of `POST /recordings`: one field table from which both the JSON schema (documentation,
// CRDs, clients) and the validator (server proxy, sidecar route) are made, so they cannot drift apart.
import { FurnaceError } from './errors.ts';
import type { RecordingLimits } from './limits.ts';

export const EVENTS = ['cpu-clock', 'task-clock', 'cycles', 'instructions', 'cpu-cycles'] as const;
export const CALL_GRAPHS = ['fp', 'dwarf'] as const;
export type CallGraph = (typeof CALL_GRAPHS)[number];
export const SYMBOL_SOURCES = ['proc', 'image'] as const;
export type SymbolSource = (typeof SYMBOL_SOURCES)[number];

/** Highest PID Linux hands out (`/proc/sys/kernel/pid_max` at most). */
export const MAX_PID = 4_194_304;
/** Longest container name: a DNS label. */
export const MAX_CONTAINER_NAME = 63;
export const MAX_PROCESS_PATTERN = 256;

/** Parameters of `POST /recordings`, after defaults are applied. */
export interface RecordingParams {
  durationSeconds: number;
  frequency: number;
  event: string;
  callGraph: CallGraph;
  container?: string;
  processPattern?: string;
  pid?: number;
  symbols: SymbolSource;
  systemWide: boolean;
}

export const DEFAULT_PARAMS = {
  durationSeconds: 30,
  frequency: 99,
  event: 'cpu-clock',
  callGraph: 'fp',
  symbols: 'proc',
  systemWide: false,
} as const satisfies Partial<RecordingParams>;

type Field =
  | { type: 'integer'; max: (limits: Readonly<RecordingLimits>) => number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'string'; maxLength: number; regex?: boolean }
  | { type: 'boolean' };

const FIELDS: Record<keyof RecordingParams, Field> = {
  durationSeconds: { type: 'integer', max: (l) => l.maxDurationSeconds },
  frequency: { type: 'integer', max: (l) => l.maxFrequency },
  event: { type: 'enum', values: EVENTS },
  callGraph: { type: 'enum', values: CALL_GRAPHS },
  container: { type: 'string', maxLength: MAX_CONTAINER_NAME },
  processPattern: { type: 'string', maxLength: MAX_PROCESS_PATTERN, regex: true },
  pid: { type: 'integer', max: () => MAX_PID },
  symbols: { type: 'enum', values: SYMBOL_SOURCES },
  systemWide: { type: 'boolean' },
};

function fieldSchema(field: Field, limits: Readonly<RecordingLimits>): object {
  switch (field.type) {
    case 'integer':
      return { type: 'integer', minimum: 1, maximum: field.max(limits) };
    case 'enum':
      return { type: 'string', enum: [...field.values] };
    case 'string':
      return { type: 'string', minLength: 1, maxLength: field.maxLength };
    case 'boolean':
      return { type: 'boolean' };
  }
}

/** The JSON schema of a start request under these limits (defaults shown, unknown fields refused). */
export function startParamsSchema(limits: Readonly<RecordingLimits>): object {
  const defaults: Record<string, unknown> = DEFAULT_PARAMS;
  const properties = Object.fromEntries(
    Object.entries(FIELDS).map(([name, field]) => [
      name,
      { ...fieldSchema(field, limits), ...(name in defaults ? { default: defaults[name] } : {}) },
    ]),
  );
  return { type: 'object', additionalProperties: false, properties };
}

function invalid(field: string, value: unknown, allowed: string): FurnaceError {
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

function checkString(name: string, value: unknown, maxLength: number, regex: boolean): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength)
    throw invalid(name, value, `must be a non-empty string of at most ${maxLength} characters`);
  if (regex) checkRegex(name, value);
}

function checkField(name: string, field: Field, value: unknown, limits: Readonly<RecordingLimits>): void {
  switch (field.type) {
    case 'integer':
      return checkInteger(name, value, field.max(limits));
    case 'enum':
      if (typeof value === 'string' && field.values.includes(value)) return;
      throw invalid(name, value, `must be one of ${field.values.join(', ')}`);
    case 'string':
      return checkString(name, value, field.maxLength, field.regex === true);
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(name, value, 'must be a boolean (true or false)');
  }
}

function checkRegex(name: string, value: string): void {
  try {
    new RegExp(value);
  } catch {
    throw invalid(name, value, 'must be a valid regular expression');
  }
}

/**
 * Checks a start request against the limits and applies the defaults. Unknown fields are refused; the
 * error names the field, the value and the limit.
 */
export function validateRecordingParams(input: unknown, limits: Readonly<RecordingLimits>): RecordingParams {
  const body = input === undefined ? {} : input;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('body', input, 'must be a JSON object');
  const given = body as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    const field = FIELDS[name as keyof RecordingParams] as Field | undefined;
    if (field === undefined) {
      throw new FurnaceError('ERR_INVALID_PARAMETER', `${name} is not a known parameter`, {
        field: name,
        allowed: Object.keys(FIELDS).join(', '),
      });
    }
    if (given[name] !== undefined) checkField(name, field, given[name], limits);
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_PARAMS, ...defined };
}
