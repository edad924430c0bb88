// The recording form's values → the body of POST /proxy/:ns/:pod/recordings, and a server error →
// the form field it belongs to. Pure.
import type { RecordingLimits } from '../../../core/contract/limits.ts';
import type { ArtifactName } from '../../../core/contract/names.ts';
import type { RecordingStatus } from '../../../core/contract/recording.ts';

export interface FormValues {
  durationSeconds: string;
  /** Record until Stop: the server's longest duration, stopped by hand. */
  untilStopped: boolean;
  frequency: string;
  processPattern: string;
  pid: string;
  symbols: string;
  /** How perf walks the stacks: fp (frame pointers) or dwarf. */
  callGraph: string;
  container: string;
  /** perf, pprof, bpftrace or auto. */
  profiler: string;
  /** What to measure with perf's default: cpu, offcpu (time blocked) or wall; empty or cpu is not sent. */
  profile: string;
  /** The target's pprof port, for pprof and auto; empty for the default. */
  pprofPort: string;
  /** The bpftrace program, for bpftrace (sent as typed; the recorder scopes it to the pod). */
  bpftraceProgram: string;
  /** The user's own words about the recording, shown in History and on its page. */
  note: string;
}

export type FormField =
  | 'durationSeconds'
  | 'frequency'
  | 'processPattern'
  | 'pid'
  | 'symbols'
  | 'callGraph'
  | 'container'
  | 'profiler'
  | 'profile'
  | 'pprofPort'
  | 'bpftraceProgram'
  | 'note';

/** A number as typed, or the text itself when it is not one (the server judges it and says why). */
function number(text: string): unknown {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text.trim();
}

/** The profiler and its own settings: perf's profile type, pprof's port, bpftrace's program (left out when empty, so the server says it is required). */
function profilerFields(values: FormValues): Record<string, unknown> {
  const { profiler } = values;
  // With perf's choice, off-CPU and wall time (the scheduler recorder); cpu is the default, not sent.
  if (profiler === '' || profiler === 'perf')
    return values.profile === '' || values.profile === 'cpu' ? {} : { profile: values.profile };
  if (profiler === 'bpftrace')
    return values.bpftraceProgram.trim() === ''
      ? { profiler }
      : { profiler, bpftrace: { program: values.bpftraceProgram } };
  if ((profiler === 'pprof' || profiler === 'auto') && values.pprofPort.trim() !== '')
    return { profiler, pprof: { port: number(values.pprofPort) } };
  return { profiler };
}

/**
 * Numbers are sent as typed (a non-number as the text itself), so the server, not the page, judges
 * the range and its message is what the user sees.
 */
export function startBody(values: FormValues, limits: RecordingLimits | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (values.untilStopped && limits) body.durationSeconds = limits.maxDurationSeconds;
  else if (values.durationSeconds.trim() !== '') body.durationSeconds = number(values.durationSeconds);
  // A bpftrace program samples as it says, and names come from bpftrace: frequency and symbols do not apply.
  const perfSettings = values.profiler !== 'bpftrace';
  if (perfSettings && values.frequency.trim() !== '') body.frequency = number(values.frequency);
  if (values.processPattern.trim() !== '') body.processPattern = values.processPattern.trim();
  if (values.pid.trim() !== '') body.pid = number(values.pid);
  if (perfSettings && values.symbols !== '') body.symbols = values.symbols;
  // pprof's stacks come from the Go runtime: perf's call graph applies to perf (and auto's fallback to it).
  if (perfSettings && values.profiler !== 'pprof' && values.callGraph !== '')
    body.callGraph = values.callGraph;
  if (values.container !== '') body.container = values.container;
  if (values.note.trim() !== '') body.note = values.note.trim();
  return { ...body, ...profilerFields(values) };
}

const FIELD_BY_CODE: Record<string, FormField> = { ERR_NO_MATCHING_PROCESS: 'processPattern' };
const FIELDS: readonly string[] = [
  'durationSeconds',
  'frequency',
  'processPattern',
  'pid',
  'symbols',
  'callGraph',
  'container',
  'profiler',
  'profile',
  'note',
];
/** Nested fields the server names by their path. */
const FIELD_BY_PATH: Record<string, FormField> = {
  'pprof.port': 'pprofPort',
  pprof: 'pprofPort',
  'bpftrace.program': 'bpftraceProgram',
  bpftrace: 'bpftraceProgram',
};

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

/**
 * The artifact whose arrival in the catalog means the recording's page has something to show: the
 * folded stacks, or, for a bpftrace program that printed no stack map, its output.
 */
export function awaitedArtifact(status: Pick<RecordingStatus, 'artifacts'>): ArtifactName {
  if (status.artifacts.includes('stacks.folded') || !status.artifacts.includes('bpftrace.txt'))
    return 'stacks.folded';
  return 'bpftrace.txt';
}
