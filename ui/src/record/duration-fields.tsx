// How long to record: a number of seconds within the server's limit, or until Stop (at most the limit).
import { TextField } from '../controls/text-field.tsx';
import { bindLimitedField, limitHint, type LimitedFieldGroupProps } from './field-group.ts';

export function DurationFields(props: LimitedFieldGroupProps) {
  const { values, set, running, max } = props;
  return (
    <>
      <TextField
        numeric
        {...bindLimitedField(props, 'durationSeconds')}
        hint={limitHint(max, (m) => `1 to ${m.maxDurationSeconds} seconds (server limit)`)}
        value={values.untilStopped && max ? String(max.maxDurationSeconds) : values.durationSeconds}
        disabled={values.untilStopped || running || max === undefined}
      />
      <div class="field checkbox">
        <input
          id="until-stopped"
          type="checkbox"
          checked={values.untilStopped}
          disabled={running}
          onChange={(event) => set({ untilStopped: event.currentTarget.checked })}
        />
        <label for="until-stopped">Until stopped (at most the limit)</label>
      </div>
    </>
  );
}
