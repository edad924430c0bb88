// The profiler choice and its own settings: pprof's port for pprof and auto, the program for bpftrace.
import { ChoiceField } from '../controls/choice-field.tsx';
import { FormField } from '../controls/form-field.tsx';
import { TextField } from '../controls/text-field.tsx';
import type { FieldGroupProps } from './field-group.ts';

const PROFILERS = [
  { value: 'perf', label: 'perf' },
  { value: 'pprof', label: 'pprof (Go)' },
  { value: 'auto', label: 'auto' },
  { value: 'bpftrace', label: 'bpftrace' },
];

function BpftraceProgram({ values, set, running, errorFor }: FieldGroupProps) {
  return (
    <FormField
      id="bpftrace-program"
      label="bpftrace program"
      hint="Scoped to the pod's processes; a map keyed by ustack or kstack becomes a flame graph, e.g. profile:hz:99 { @[comm, ustack] = count(); }"
      error={errorFor('bpftraceProgram')}
    >
      {(describedBy, invalid) => (
        <textarea
          id="bpftrace-program"
          class="code"
          rows={6}
          spellcheck={false}
          value={values.bpftraceProgram}
          disabled={running}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onInput={(event) => set({ bpftraceProgram: event.currentTarget.value })}
        />
      )}
    </FormField>
  );
}

export function ProfilerFields(props: FieldGroupProps) {
  const { values, set, running, errorFor } = props;
  return (
    <>
      <ChoiceField
        id="profiler"
        label="Profiler"
        hint="perf samples any program; pprof asks a Go program's net/http/pprof; auto takes pprof when it answers; bpftrace runs your program on the pod's processes (it needs the furnace-tracer role)."
        error={errorFor('profiler')}
        value={values.profiler}
        choices={PROFILERS}
        disabled={running}
        onValue={(profiler) => set({ profiler })}
      />
      {values.profiler === 'pprof' || values.profiler === 'auto' ? (
        <TextField
          id="pprof-port"
          label="pprof port"
          hint="Default 6060."
          error={errorFor('pprofPort')}
          value={values.pprofPort}
          disabled={running}
          numeric
          onValue={(pprofPort) => set({ pprofPort })}
        />
      ) : null}
      {values.profiler === 'bpftrace' ? <BpftraceProgram {...props} /> : null}
    </>
  );
}
