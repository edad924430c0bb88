// What is sampled and how: the frequency, the processes (by pattern, or by PID in local mode) and
// where function names come from. bpftrace programs choose their own frequency and symbols.
import { ChoiceField } from '../controls/choice-field.tsx';
import { TextField } from '../controls/text-field.tsx';
import { limitHint, type LimitedFieldGroupProps } from './field-group.ts';

const SYMBOL_SOURCES = [
  { value: 'proc', label: 'The running processes (/proc)' },
  { value: 'image', label: 'The container image' },
];

export interface SamplingFieldsProps extends LimitedFieldGroupProps {
  /** Local mode: a PID may name the process. */
  local: boolean;
}

export function SamplingFields({ values, set, running, errorFor, max, local }: SamplingFieldsProps) {
  const bpftrace = values.profiler === 'bpftrace';
  return (
    <>
      {bpftrace ? null : (
        <TextField
          id="frequency"
          label="Frequency (Hz)"
          hint={limitHint(max, (m) => `1 to ${m.maxFrequency} Hz (server limit)`)}
          error={errorFor('frequency')}
          value={values.frequency}
          disabled={running}
          numeric
          onValue={(frequency) => set({ frequency })}
        />
      )}
      <TextField
        id="process-pattern"
        label="Process pattern"
        hint="A regular expression matched like pgrep: process names first, then full command lines (at most 256 characters)."
        error={errorFor('processPattern')}
        value={values.processPattern}
        disabled={running}
        onValue={(processPattern) => set({ processPattern })}
      />
      {local ? (
        <TextField
          id="pid"
          label="PID"
          hint="Or one process by its ID (local mode)."
          error={errorFor('pid')}
          value={values.pid}
          disabled={running}
          numeric
          onValue={(pid) => set({ pid })}
        />
      ) : null}
      {bpftrace ? null : (
        <ChoiceField
          id="symbols"
          label="Symbol source"
          hint="Where function names come from."
          error={errorFor('symbols')}
          value={values.symbols}
          choices={SYMBOL_SOURCES}
          disabled={running}
          onValue={(symbols) => set({ symbols })}
        />
      )}
    </>
  );
}
