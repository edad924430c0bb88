// Limits that every entry point (sidecar, server proxy, operator, CLI) enforces the same way.
import { FurnaceError } from './errors.ts';

export interface RecordingLimits {
  /** Longest recording, seconds. */
  maxDurationSeconds: number;
  /** Highest sampling frequency, Hz. */
  maxFrequency: number;
  /** Recordings running at once on one sidecar. */
  maxConcurrentPerSidecar: number;
  /** Recordings running at once in one namespace. */
  maxConcurrentPerNamespace: number;
  /** Recordings running at once in the cluster. */
  maxConcurrentPerCluster: number;
  /** Largest single artifact, bytes. */
  maxArtifactBytes: number;
}

export const DEFAULT_LIMITS: Readonly<RecordingLimits> = {
  maxDurationSeconds: 600,
  maxFrequency: 999,
  maxConcurrentPerSidecar: 1,
  maxConcurrentPerNamespace: 5,
  maxConcurrentPerCluster: 50,
  maxArtifactBytes: 512 * 1024 * 1024,
};

export const EVENTS: readonly string[] = ['cpu-clock', 'task-clock', 'cycles', 'instructions', 'cpu-cycles'];
export const CALL_GRAPHS = ['fp', 'dwarf'] as const;
export type CallGraph = (typeof CALL_GRAPHS)[number];
export const SYMBOL_SOURCES = ['proc', 'image'] as const;
export type SymbolSource = (typeof SYMBOL_SOURCES)[number];

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

function limitError(field: string, value: unknown, limit: string): FurnaceError {
  return new FurnaceError(
    'ERR_LIMIT_EXCEEDED',
    `${field} ${JSON.stringify(value)} is out of range: ${limit}`,
    { field, value, limit },
  );
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

function positiveInt(input: Record<string, unknown>, field: string, fallback: number, max: number): number {
  const value = input[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalid(field, value, 'must be an integer');
  if (value < 1 || value > max) throw limitError(field, value, `must be between 1 and ${max}`);
  return value;
}

function oneOf<T extends string>(
  input: Record<string, unknown>,
  field: string,
  fallback: T,
  allowed: readonly T[],
): T {
  const value = input[field] ?? fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalid(field, value, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function optionalString(
  input: Record<string, unknown>,
  field: string,
  maxLength: number,
): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw invalid(field, value, `must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

/** Validates a start request against limits; the error names the field, the value and the limit. */
export function validateRecordingParams(input: unknown, limits: Readonly<RecordingLimits>): RecordingParams {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid('body', input, 'must be a JSON object');
  }
  const body = input as Record<string, unknown>;
  const params: RecordingParams = {
    durationSeconds: positiveInt(
      body,
      'durationSeconds',
      DEFAULT_PARAMS.durationSeconds,
      limits.maxDurationSeconds,
    ),
    frequency: positiveInt(body, 'frequency', DEFAULT_PARAMS.frequency, limits.maxFrequency),
    event: oneOf(body, 'event', DEFAULT_PARAMS.event, EVENTS),
    callGraph: oneOf(body, 'callGraph', DEFAULT_PARAMS.callGraph, CALL_GRAPHS),
    symbols: oneOf(body, 'symbols', DEFAULT_PARAMS.symbols, SYMBOL_SOURCES),
    systemWide: body.systemWide === true,
  };
  if (body.systemWide !== undefined && typeof body.systemWide !== 'boolean') {
    throw invalid('systemWide', body.systemWide, 'must be true or false');
  }
  const container = optionalString(body, 'container', 63);
  if (container !== undefined) params.container = container;
  const processPattern = optionalString(body, 'processPattern', 256);
  if (processPattern !== undefined) {
    try {
      new RegExp(processPattern);
    } catch {
      throw invalid('processPattern', processPattern, 'must be a valid regular expression');
    }
    params.processPattern = processPattern;
  }
  if (body.pid !== undefined) params.pid = positiveInt(body, 'pid', 0, 4194304);
  return params;
}
