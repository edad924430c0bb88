// Typed readers of one configuration value, shared by the server and the sidecar loaders. A value
// from the environment is a string; from a YAML or JSON file it may already be a number or boolean.
// Unset and empty values take the fallback; anything else out of range throws a ConfigError.
import { ConfigError } from './config-error.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `json`: one pino line per event; `text`: a sentence per event a person needs (server/operations/log-text.ts). */
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** One value to read: its key (as the user writes it), the value, and the file or variable it came from. */
export interface Setting {
  key: string;
  value: unknown;
  source?: string | undefined;
}

/** The setting of an environment variable: the variable is both its key and where it came from. */
export function envSetting(env: Readonly<Record<string, string | undefined>>, name: string): Setting {
  return { key: name, value: env[name], source: name };
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === '';
}

function refuse(setting: Setting, allowed: string): ConfigError {
  return new ConfigError(setting.key, setting.value, allowed, setting.source);
}

export function readInteger(setting: Setting, fallback: number, min: number, max: number): number {
  const { value } = setting;
  if (isUnset(value)) return fallback;
  const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < min || number > max) {
    throw refuse(setting, `an integer from ${min} to ${max}`);
  }
  return number;
}

export function readChoice<T extends string>(setting: Setting, fallback: T, allowed: readonly T[]): T {
  if (isUnset(setting.value)) return fallback;
  const match = allowed.find((candidate) => candidate === setting.value);
  if (match === undefined) throw refuse(setting, allowed.join(', '));
  return match;
}

export function readText(setting: Setting, fallback: string): string {
  if (isUnset(setting.value)) return fallback;
  if (typeof setting.value !== 'string') throw refuse(setting, 'a string');
  return setting.value;
}

/** `true` or `false`, as a YAML boolean or as the strings an environment variable holds. */
export function readBoolean(setting: Setting, fallback: boolean): boolean {
  const { value } = setting;
  if (isUnset(value)) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw refuse(setting, 'true, false');
}

/** A JSON value held in an environment variable. */
export function readJson(setting: Setting, allowed: string): unknown {
  if (isUnset(setting.value)) return undefined;
  if (typeof setting.value !== 'string') return setting.value;
  try {
    return JSON.parse(setting.value) as unknown;
  } catch {
    throw refuse(setting, allowed);
  }
}

/** An absolute http:// or https:// URL with a host. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}
