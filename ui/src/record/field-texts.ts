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
const PROFILE_HINT =
  'CPU: where the processes run. Off-CPU: where they wait (locks, I/O, sleeps), in time blocked. Wall clock: both, in one unit of time. Off-CPU and wall clock are recorded by Furnace’s own program, with the same permission as CPU.';
const CALL_GRAPH_HINT =
  "How perf walks each stack. Frame pointers cost nothing, but stacks stop at code built without them. dwarf walks those too: it copies 8 KB of stack with every sample (about 0.8 MB a second per busy thread at 99 Hz), so perf.data grows and the graph takes longer after Stop. auto checks the programs' binaries as recording starts and takes dwarf only where they lack frame pointers; the recording says which it used and why.";
const PATTERN_HINT =
  'A regular expression matched like pgrep: process names first, then full command lines (at most 256 characters).';

export const FIELD_TEXTS: Record<FormInput, FieldText> = {
  durationSeconds: { id: 'duration', label: 'Duration (seconds)' },
  profiler: { id: 'profiler', label: 'Profiler', hint: PROFILER_HINT },
  profile: { id: 'profile', label: 'Profile', hint: PROFILE_HINT },
  pprofPort: { id: 'pprof-port', label: 'pprof port', hint: 'Default 6060.' },
  bpftraceProgram: { id: 'bpftrace-program', label: 'bpftrace program', hint: BPFTRACE_HINT },
  frequency: { id: 'frequency', label: 'Frequency (Hz)' },
  processPattern: { id: 'process-pattern', label: 'Process pattern', hint: PATTERN_HINT },
  pid: { id: 'pid', label: 'PID', hint: 'Or one process by its ID (local mode).' },
  symbols: { id: 'symbols', label: 'Symbol source', hint: 'Where function names come from.' },
  callGraph: { id: 'call-graph', label: 'Call graph', hint: CALL_GRAPH_HINT },
  note: {
    id: 'note',
    label: 'Note',
    hint: 'Optional, up to 200 characters: your words to tell this recording apart in History.',
  },
};

/** How the server names each field it may mention (its parameter paths), and the form's label for it. */
const SERVER_NAMES: readonly (readonly [string, string])[] = [
  ['durationSeconds', FIELD_TEXTS.durationSeconds.label],
  ['frequency', FIELD_TEXTS.frequency.label],
  ['processPattern', FIELD_TEXTS.processPattern.label],
  ['pprof.port', FIELD_TEXTS.pprofPort.label],
  ['bpftrace.program', FIELD_TEXTS.bpftraceProgram.label],
  ['symbols', FIELD_TEXTS.symbols.label],
  ['callGraph', FIELD_TEXTS.callGraph.label],
  ['profiler', FIELD_TEXTS.profiler.label],
  ['profile', FIELD_TEXTS.profile.label],
  ['pid', FIELD_TEXTS.pid.label],
  ['note', FIELD_TEXTS.note.label],
];

/**
 * A server message in the form's words: each parameter it names (`durationSeconds 100000 is out of
 * range`) becomes the label the user sees (`Duration (seconds) 100000 is out of range`).
 */
export function inFormWords(message: string): string {
  let out = message;
  for (const [name, label] of SERVER_NAMES) {
    const escaped = name.replace('.', '\\.');
    out = out.replace(
      new RegExp(`(^|[^\\w./-])${escaped}(?![\\w.])`, 'g'),
      (_m, before: string) => before + label,
    );
  }
  return out;
}
