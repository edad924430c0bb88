// The profiler choice and its own settings: what perf's choice measures (CPU, off-CPU, wall clock), pprof's
// port for pprof and auto, the program for bpftrace.
import { ChoiceField } from '../controls/choice-field.tsx';
import { TextField } from '../controls/text-field.tsx';
import { bindField, type FieldGroupProps } from './field-group.ts';

const PROFILERS = [
  { value: 'perf', label: 'perf' },
  { value: 'pprof', label: 'pprof (Go)' },
  { value: 'auto', label: 'auto' },
  { value: 'bpftrace', label: 'bpftrace' },
  { value: 'node', label: 'node (Node.js, through its inspector)' },
];

const PROFILES = [
  { value: 'cpu', label: 'CPU' },
  { value: 'offcpu', label: 'Off-CPU (time blocked)' },
  { value: 'wall', label: 'Wall clock (on and off the CPU)' },
];

export function ProfilerFields(props: FieldGroupProps) {
  const { profiler } = props.values;
  return (
    <>
      <ChoiceField choices={PROFILERS} {...bindField(props, 'profiler')} />
      {profiler === 'perf' ? <ChoiceField choices={PROFILES} {...bindField(props, 'profile')} /> : null}
      {profiler === 'pprof' || profiler === 'auto' ? (
        <TextField numeric {...bindField(props, 'pprofPort')} />
      ) : null}
      {profiler === 'bpftrace' ? <TextField codeRows={6} {...bindField(props, 'bpftraceProgram')} /> : null}
    </>
  );
}
