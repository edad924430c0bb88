// The one error a configuration value stops start-up with, for the server, the webhook's injection
// config and the sidecar alike: the key, the value, what is allowed, and where the value came from
// (a file or an environment variable), in one line that main.ts prints before exiting 1.
import { FurnaceError } from '../contract/errors.ts';

const MAX_SHOWN = 120;

/** A value as it appears in the message: JSON, `(unset)` when missing, cut short when long (PEM bundles). */
export function showValue(value: unknown): string {
  // JSON.stringify gives undefined for undefined, functions and symbols, none of which a file holds.
  const shown = JSON.stringify(value) as string | undefined;
  if (shown === undefined) return '(unset)';
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…` : shown;
}

export class ConfigError extends FurnaceError {
  readonly key: string;
  readonly value: unknown;
  readonly allowed: string;
  /** The file path or environment variable the value came from; none for built-in defaults. */
  readonly source: string | undefined;

  constructor(key: string, value: unknown, allowed: string, source?: string) {
    super(
      'ERR_INVALID_PARAMETER',
      `invalid configuration${source ? ` in ${source}` : ''}: ${key} = ${showValue(value)}; allowed: ${allowed}`,
      { key, value: showValue(value), allowed, ...(source ? { source } : {}) },
    );
    this.name = 'ConfigError';
    this.key = key;
    this.value = value;
    this.allowed = allowed;
    this.source = source;
  }

  /** The same error, naming where the value came from (a loader knows; a pure parser does not). */
  from(source: string | undefined): ConfigError {
    return source === undefined || this.source !== undefined
      ? this
      : new ConfigError(this.key, this.value, this.allowed, source);
  }
}
