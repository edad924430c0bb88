// A select in a FormField, each choice with its own wording.
import { FormField } from './form-field.tsx';

export interface Choice {
  value: string;
  label: string;
  /** Shown but not choosable; the label says what it needs. */
  disabled?: boolean;
}

export interface ChoiceFieldProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error: string | undefined;
  value: string;
  choices: readonly Choice[];
  disabled: boolean;
  onValue: (value: string) => void;
}

export function ChoiceField({ id, label, hint, error, value, choices, disabled, onValue }: ChoiceFieldProps) {
  return (
    <FormField id={id} label={label} hint={hint} error={error}>
      {(describedBy) => (
        <select
          id={id}
          value={value}
          disabled={disabled}
          aria-describedby={describedBy}
          onChange={(event) => onValue(event.currentTarget.value)}
        >
          {choices.map((choice) => (
            <option key={choice.value} value={choice.value} disabled={choice.disabled === true}>
              {choice.label}
            </option>
          ))}
        </select>
      )}
    </FormField>
  );
}
