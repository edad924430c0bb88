// What every group of the recording form's fields gets from the form.
import type { RecordingLimits } from '../../../core/contract/limits.ts';
import { FIELD_TEXTS, type FieldText, type FormInput } from './field-texts.ts';
import type { FormField as Field, FormValues } from './start-request.ts';

export interface FieldGroupProps {
  values: FormValues;
  set: (patch: Partial<FormValues>) => void;
  /** A recording is running: the fields are read-only. */
  running: boolean;
  /** The server's message about a field, if it named this one. */
  errorFor: (field: Field) => string | undefined;
}

/** A group with a field that the server limits. */
export interface LimitedFieldGroupProps extends FieldGroupProps {
  /** Undefined while the limits load. */
  max: RecordingLimits | undefined;
}

/** A field's hint while the server's limits are still loading. */
export function limitHint<L>(limits: L | undefined, hint: (limits: L) => string): string {
  return limits ? hint(limits) : 'loading the limit…';
}

/**
 * A field wired to the form: its id, label and hint, its value, the server's message about it, and
 * read-only while a recording runs.
 */
export interface BoundField extends FieldText {
  value: string;
  error: string | undefined;
  disabled: boolean;
  onValue: (value: string) => void;
}

export function bindField(group: FieldGroupProps, field: FormInput): BoundField {
  return {
    ...FIELD_TEXTS[field],
    value: group.values[field],
    error: group.errorFor(field),
    disabled: group.running,
    onValue: (value) => group.set({ [field]: value }),
  };
}

/**
 * A field whose default arrives with the server's limits: read-only until then, so the default is never
 * written into what the user has begun to type (the README walk once recorded at "99199" Hz: its text
 * went in while the default 99 arrived).
 */
export function bindLimitedField(group: LimitedFieldGroupProps, field: FormInput): BoundField {
  const bound = bindField(group, field);
  return group.max === undefined ? { ...bound, disabled: true } : bound;
}
