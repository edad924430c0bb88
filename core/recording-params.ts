// The parameters of `POST /recordings`: one field table from which both the JSON schema (documentation,
// CRDs, clients) and the validator (server proxy, sidecar route) are made, so they cannot drift apart.
import { checkBpftraceProgram } from './bpftrace-scope.ts';
import { FurnaceError } from './errors.ts';
import type { RecordingLimits } from './limits.ts';

export const EVENTS = ['cpu-clock', 'task-clock', 'cycles', 'instructions', 'cpu-cycles'] as const;
export const CALL_GRAPHS = ['fp', 'dwarf'] as const;
export type CallGraph = (typeof CALL_GRAPHS)[number];
export const SYMBOL_SOURCES = ['proc', 'image'] as const;
export type SymbolSource = (typeof SYMBOL_SOURCES)[number];
export const PROFILERS = ['perf', 'pprof', 'bpftrace', 'auto'] as const;
export type Profiler = (typeof PROFILERS)[number];

/** Highest PID Linux hands out (`/proc/sys/kernel/pid_max` at most). */
export const MAX_PID = 4_194_304;
/** Longest container name: a DNS label. */
export const MAX_CONTAINER_NAME = 63;
export const MAX_PROCESS_PATTERN = 256;
/** Longest bpftrace program, in characters. */
export const MAX_BPFTRACE_PROGRAM = 16_384;

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
  /** Which recorder runs; `perf` when unset (recordings made before there was a choice). */
  profiler?: Profiler;
  /** The program to run with profiler `bpftrace` (and only then); the recorder scopes it to the pod. */
  bpftrace?: { program: string };
}

export const DEFAULT_PARAMS = {
  durationSeconds: 30,
  frequency: 99,
  event: 'cpu-clock',
  callGraph: 'fp',
  symbols: 'proc',
  systemWide: false,
  profiler: 'perf',
} as const satisfies Partial<RecordingParams>;

type Field =
  | { type: 'integer'; max: (limits: Readonly<RecordingLimits>) => number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'string'; maxLength: number; regex?: boolean }
  | { type: 'boolean' }
  | { type: 'object'; properties: Readonly<Record<string, Field>>; required: readonly string[] };

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
  profiler: { type: 'enum', values: PROFILERS },
  bpftrace: {
    type: 'object',
    properties: { program: { type: 'string', maxLength: MAX_BPFTRACE_PROGRAM } },
    required: ['program'],
  },
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
    case 'object': {
      const properties = Object.entries(field.properties).map(([n, f]): [string, object] => [
        n,
        fieldSchema(f, limits),
      ]);
      const required = [...field.required];
      return {
        type: 'object',
        additionalProperties: false,
        required,
        properties: Object.fromEntries(properties),
      };
    }
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
  if (typeof value === 'string' && value.length > maxLength) {
    const limit = `must be at most ${maxLength} characters`;
    throw new FurnaceError('ERR_INVALID_PARAMETER', `${name} has ${value.length} characters: ${limit}`, {
      field: name,
      limit,
    });
  }
  if (typeof value !== 'string' || value.length === 0)
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
      return;
    case 'object':
      return checkObject(name, field, value, limits);
  }
}

function checkObject(
  name: string,
  field: Extract<Field, { type: 'object' }>,
  value: unknown,
  limits: Readonly<RecordingLimits>,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(name, value, `must be an object with ${Object.keys(field.properties).join(', ')}`);
  checkKnownFields(value as Record<string, unknown>, field.properties, `${name}.`, limits);
  for (const key of field.required)
    if ((value as Record<string, unknown>)[key] === undefined)
      throw invalid(`${name}.${key}`, undefined, 'is required');
}

/** Refuses unknown fields, then checks each given one; `prefix` names nested fields (`bpftrace.`). */
function checkKnownFields(
  given: Record<string, unknown>,
  fields: Readonly<Record<string, Field>>,
  prefix: string,
  limits: Readonly<RecordingLimits>,
): void {
  for (const name of Object.keys(given)) {
    const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (field === undefined) {
      throw new FurnaceError('ERR_INVALID_PARAMETER', `${prefix}${name} is not a known parameter`, {
        field: `${prefix}${name}`,
        allowed: Object.keys(fields).join(', '),
      });
    }
    if (given[name] !== undefined) checkField(`${prefix}${name}`, field, given[name], limits);
  }
}

/** Rules between fields: a bpftrace program goes with profiler bpftrace, which needs one and a pod. */
function checkProfiler(params: RecordingParams): void {
  const bpftrace = params.profiler === 'bpftrace';
  if (params.bpftrace !== undefined && !bpftrace)
    throw invalid(
      'bpftrace',
      '(a program)',
      `is only allowed with profiler "bpftrace", not "${params.profiler}"`,
    );
  if (bpftrace && params.bpftrace === undefined)
    throw invalid('bpftrace.program', undefined, 'is required with profiler "bpftrace"');
  if (bpftrace && params.systemWide)
    throw invalid('systemWide', true, 'a bpftrace program is always scoped to the pod, not the whole node');
  if (params.bpftrace !== undefined) checkBpftraceProgram(params.bpftrace.program);
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
  checkKnownFields(given, FIELDS, '', limits);
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  const params: RecordingParams = { ...DEFAULT_PARAMS, ...defined };
  checkProfiler(params);
  return params;
}
