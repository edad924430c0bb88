// A one-line text input in a FormField: its hint and the server's message about it are its description.
import { FormField } from './form-field.tsx';

export interface TextFieldProps {
  id: string;
  label: string;
  hint?: string;
  error: string | undefined;
  value: string;
  disabled: boolean;
  /** Numbers only: the phone keyboard shows digits. */
  numeric?: boolean;
  onValue: (value: string) => void;
}

export function TextField({ id, label, hint, error, value, disabled, numeric, onValue }: TextFieldProps) {
  return (
    <FormField id={id} label={label} hint={hint} error={error}>
      {(describedBy, invalid) => (
        <input
          id={id}
          type="text"
          inputMode={numeric ? 'numeric' : undefined}
          value={value}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onInput={(event) => onValue(event.currentTarget.value)}
        />
      )}
    </FormField>
  );
}
