// How long to record: a number of seconds within the server's limit, or until Stop (at most the limit).
import { TextField } from '../controls/text-field.tsx';
import { limitHint, type LimitedFieldGroupProps } from './field-group.ts';

export function DurationFields({ values, set, running, errorFor, max }: LimitedFieldGroupProps) {
  return (
    <>
      <TextField
        id="duration"
        label="Duration (seconds)"
        hint={limitHint(max, (m) => `1 to ${m.maxDurationSeconds} seconds (server limit)`)}
        error={errorFor('durationSeconds')}
        value={values.untilStopped && max ? String(max.maxDurationSeconds) : values.durationSeconds}
        disabled={values.untilStopped || running}
        numeric
        onValue={(durationSeconds) => set({ durationSeconds })}
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
