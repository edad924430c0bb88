// What the recording form calls each of its fields: the element id (the server's messages are shown
// at `${id}-error`), the label and, where it does not depend on the server's limits, the hint.
import type { FormField as Field } from './start-request.ts';

/** The fields the form shows; the container is chosen in the pod picker. */
export type FormInput = Exclude<Field, 'container'>;

export interface FieldText {
  id: string;
  label: string;
  hint?: string;
}

const PROFILER_HINT =
  "perf samples any program; pprof asks a Go program's net/http/pprof; auto takes pprof when it answers; bpftrace runs your program on the pod's processes (it needs the furnace-tracer role).";
const BPFTRACE_HINT =
  "Scoped to the pod's processes; a map keyed by ustack or kstack becomes a flame graph, e.g. profile:hz:99 { @[comm, ustack] = count(); }";
const PATTERN_HINT =
  'A regular expression matched like pgrep: process names first, then full command lines (at most 256 characters).';

export const FIELD_TEXTS: Record<FormInput, FieldText> = {
  durationSeconds: { id: 'duration', label: 'Duration (seconds)' },
  profiler: { id: 'profiler', label: 'Profiler', hint: PROFILER_HINT },
  pprofPort: { id: 'pprof-port', label: 'pprof port', hint: 'Default 6060.' },
  bpftraceProgram: { id: 'bpftrace-program', label: 'bpftrace program', hint: BPFTRACE_HINT },
  frequency: { id: 'frequency', label: 'Frequency (Hz)' },
  processPattern: { id: 'process-pattern', label: 'Process pattern', hint: PATTERN_HINT },
  pid: { id: 'pid', label: 'PID', hint: 'Or one process by its ID (local mode).' },
  symbols: { id: 'symbols', label: 'Symbol source', hint: 'Where function names come from.' },
};
