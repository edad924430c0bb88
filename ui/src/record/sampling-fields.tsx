// What is sampled and how: the frequency, how perf walks the stacks, the processes (by pattern, or by PID
// in local mode) and where function names come from. bpftrace programs choose their own frequency and
// symbols; pprof's stacks come from the Go runtime, so it has no call graph setting.
import type { CallGraph } from '../../../core/contract/recording-params.ts';
import { ChoiceField } from '../controls/choice-field.tsx';
import { TextField } from '../controls/text-field.tsx';
import { bindField, bindLimitedField, limitHint, type LimitedFieldGroupProps } from './field-group.ts';

const SYMBOL_SOURCES = [
  { value: 'proc', label: 'The running processes (/proc)' },
  { value: 'image', label: 'The container image' },
];
/** The values the recorder accepts (core/contract/recording-params.ts CALL_GRAPHS), each with its cost. */
const CALL_GRAPHS = [
  { value: 'auto', label: 'Auto: dwarf where the programs lack frame pointers, else fp' },
  { value: 'fp', label: 'Frame pointers (fp): no cost; stacks stop at code without them' },
  { value: 'dwarf', label: 'DWARF (dwarf): 8 KB of stack per sample; larger perf.data, slower graph' },
] satisfies { value: CallGraph; label: string }[];
/** Local mode records this machine's processes: there is no container image to read symbols from. */
const LOCAL_SYMBOL_SOURCES = [
  { value: 'proc', label: 'The running processes (/proc)' },
  { value: 'image', label: 'The container image (needs a pod: not in local mode)', disabled: true },
];

export interface SamplingFieldsProps extends LimitedFieldGroupProps {
  /** Local mode: a PID may name the process. */
  local: boolean;
}

export function SamplingFields(props: SamplingFieldsProps) {
  const bpftrace = props.values.profiler === 'bpftrace';
  return (
    <>
      {bpftrace ? null : (
        <TextField
          numeric
          {...bindLimitedField(props, 'frequency')}
          hint={limitHint(props.max, (m) => `1 to ${m.maxFrequency} Hz (server limit)`)}
        />
      )}
      {bpftrace || props.values.profiler === 'pprof' ? null : (
        <ChoiceField choices={CALL_GRAPHS} {...bindField(props, 'callGraph')} />
      )}
      <TextField {...bindField(props, 'processPattern')} />
      {props.local ? <TextField numeric {...bindField(props, 'pid')} /> : null}
      {bpftrace ? null : (
        <ChoiceField
          choices={props.local ? LOCAL_SYMBOL_SOURCES : SYMBOL_SOURCES}
          {...bindField(props, 'symbols')}
        />
      )}
    </>
  );
}
