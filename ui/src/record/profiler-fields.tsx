// The profiler choice and its own settings: pprof's port for pprof and auto, the program for bpftrace.
import { FormField } from './form-field.tsx';
import type { FormField as Field, FormValues } from './start-request.ts';

export interface ProfilerFieldsProps {
  values: FormValues;
  set: (patch: Partial<FormValues>) => void;
  /** A recording is running: the fields are read-only. */
  running: boolean;
  /** The server's message about a field, if it named this one. */
  errorFor: (field: Field) => string | undefined;
}

export function ProfilerFields({ values, set, running, errorFor }: ProfilerFieldsProps) {
  return (
    <>
      <FormField
        id="profiler"
        label="Profiler"
        hint="perf samples any program; pprof asks a Go program's net/http/pprof; auto takes pprof when it answers; bpftrace runs your program on the pod's processes (it needs the furnace-tracer role)."
        error={errorFor('profiler')}
      >
        {(describedBy) => (
          <select
            id="profiler"
            value={values.profiler}
            disabled={running}
            aria-describedby={describedBy}
            onChange={(event) => set({ profiler: event.currentTarget.value })}
          >
            <option value="perf">perf</option>
            <option value="pprof">pprof (Go)</option>
            <option value="auto">auto</option>
            <option value="bpftrace">bpftrace</option>
          </select>
        )}
      </FormField>
      {values.profiler === 'pprof' || values.profiler === 'auto' ? (
        <FormField id="pprof-port" label="pprof port" hint="Default 6060." error={errorFor('pprofPort')}>
          {(describedBy, invalid) => (
            <input
              id="pprof-port"
              type="text"
              inputMode="numeric"
              value={values.pprofPort}
              disabled={running}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(event) => set({ pprofPort: event.currentTarget.value })}
            />
          )}
        </FormField>
      ) : null}
      {values.profiler === 'bpftrace' ? (
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
      ) : null}
    </>
  );
}
