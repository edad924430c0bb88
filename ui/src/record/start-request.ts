// The recording form's values → the body of POST /proxy/:ns/:pod/recordings, and a server error →
// the form field it belongs to. Pure.
import type { RecordingLimits } from '../../../core/limits.ts';

export interface FormValues {
  durationSeconds: string;
  /** Record until Stop: the server's longest duration, stopped by hand. */
  untilStopped: boolean;
  frequency: string;
  processPattern: string;
  pid: string;
  symbols: string;
  container: string;
  /** perf, pprof or auto (bpftrace has its own editor). */
  profiler: string;
  /** The target's pprof port, for pprof and auto; empty for the default. */
  pprofPort: string;
}

export type FormField =
  | 'durationSeconds'
  | 'frequency'
  | 'processPattern'
  | 'pid'
  | 'symbols'
  | 'container'
  | 'profiler'
  | 'pprofPort';

/**
 * Numbers are sent as typed (a non-number as the text itself), so the server, not the page, judges
 * the range and its message is what the user sees.
 */
export function startBody(values: FormValues, limits: RecordingLimits | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const number = (text: string): unknown => (/^\s*-?\d+\s*$/.test(text) ? Number(text) : text.trim());
  if (values.untilStopped && limits) body.durationSeconds = limits.maxDurationSeconds;
  else if (values.durationSeconds.trim() !== '') body.durationSeconds = number(values.durationSeconds);
  if (values.frequency.trim() !== '') body.frequency = number(values.frequency);
  if (values.processPattern.trim() !== '') body.processPattern = values.processPattern.trim();
  if (values.pid.trim() !== '') body.pid = number(values.pid);
  if (values.symbols !== '') body.symbols = values.symbols;
  if (values.container !== '') body.container = values.container;
  if (values.profiler !== '' && values.profiler !== 'perf') body.profiler = values.profiler;
  if ((values.profiler === 'pprof' || values.profiler === 'auto') && values.pprofPort.trim() !== '')
    body.pprof = { port: number(values.pprofPort) };
  return body;
}

const FIELD_BY_CODE: Record<string, FormField> = { ERR_NO_MATCHING_PROCESS: 'processPattern' };
const FIELDS: readonly string[] = [
  'durationSeconds',
  'frequency',
  'processPattern',
  'pid',
  'symbols',
  'container',
  'profiler',
];
/** Nested fields the server names by their path. */
const FIELD_BY_PATH: Record<string, FormField> = { 'pprof.port': 'pprofPort', pprof: 'pprofPort' };

/** The field a start error names (details.field, or the field in a schema message); else undefined. */
export function fieldOfError(error: {
  code: string;
  field?: string | undefined;
  message: string;
}): FormField | undefined {
  if (error.field && FIELDS.includes(error.field)) return error.field as FormField;
  if (error.field && FIELD_BY_PATH[error.field]) return FIELD_BY_PATH[error.field];
  const fromCode = FIELD_BY_CODE[error.code];
  if (fromCode) return fromCode;
  const named = /body\/(\w+)/.exec(error.message)?.[1];
  return named && FIELDS.includes(named) ? (named as FormField) : undefined;
}
