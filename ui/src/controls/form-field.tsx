// A labelled input with its limit and, when the server refused it, the server's message beside it.
import type { ComponentChildren } from 'preact';

export interface FieldProps {
  id: string;
  label: string;
  /** The limit or a hint, always shown under the field. */
  hint?: ComponentChildren;
  /** The server's message about this field. */
  error?: string | undefined;
  children: (describedBy: string, invalid: boolean) => ComponentChildren;
}

export function FormField({ id, label, hint, error, children }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children(described, error !== undefined)}
      {hint ? (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <p id={`${id}-error`} class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
