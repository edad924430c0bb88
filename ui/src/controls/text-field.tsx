// A text input in a FormField: its hint and the server's message about it are its description.
import { FormField } from './form-field.tsx';

export interface TextFieldProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error: string | undefined;
  value: string;
  disabled: boolean;
  /** Numbers only: the phone keyboard shows digits. */
  numeric?: boolean;
  /** A program rather than a line: a monospace textarea of this many rows. */
  codeRows?: number;
  onValue: (value: string) => void;
}

export function TextField(props: TextFieldProps) {
  const { id, value, disabled, codeRows, onValue } = props;
  return (
    <FormField id={id} label={props.label} hint={props.hint} error={props.error}>
      {(describedBy, invalid) => {
        const common = { id, value, disabled, 'aria-describedby': describedBy, 'aria-invalid': invalid };
        const onInput = (event: Event): void =>
          onValue((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value);
        return codeRows ? (
          <textarea class="code" rows={codeRows} spellcheck={false} {...common} onInput={onInput} />
        ) : (
          <input
            type="text"
            inputMode={props.numeric ? 'numeric' : undefined}
            {...common}
            onInput={onInput}
          />
        );
      }}
    </FormField>
  );
}
