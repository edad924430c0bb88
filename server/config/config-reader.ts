// Reads keys of the server config file, with the environment variables that override some of them,
// and remembers what was read: a key that nothing reads (a typo, a key of another version) is refused
// with the keys that exist, instead of being ignored. Pure.
import { ConfigError } from '../../core/config/config-error.ts';
import type { Setting } from '../../core/config/config-values.ts';

export type Raw = Record<string, unknown>;
export type Env = Readonly<Record<string, string | undefined>>;

/** A parsed YAML or JSON file; `path` names it in errors. */
export interface ConfigFile {
  path: string;
  raw: Raw;
}

export function isMapping(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface ConfigReader {
  /** The file's path, for errors about values inside a mapping read as a whole. */
  source: string | undefined;
  /** The value at a dotted key; the environment variable, when set and not empty, wins over the file. */
  get(key: string, variable?: string): Setting;
  /** The mapping at a dotted key ({} when unset), read as a whole by the caller (limits, namespaceLimits). */
  mapping(key: string): Raw;
  /** Throws for the first key of the file that nothing read. */
  refuseUnread(): void;
}

export function createConfigReader(file: ConfigFile | undefined, env: Env): ConfigReader {
  const raw = file?.raw ?? {};
  const source = file?.path;
  const read: string[] = [];

  function valueAt(key: string): unknown {
    let node: unknown = raw;
    const parts = key.split('.');
    for (const [index, part] of parts.entries()) {
      if (node === undefined) return undefined;
      if (!isMapping(node)) throw new ConfigError(parts.slice(0, index).join('.'), node, 'a mapping', source);
      node = node[part];
    }
    return node;
  }

  function knownBelow(prefix: string): string[] {
    const start = prefix === '' ? '' : `${prefix}.`;
    const names = read
      .filter((key) => key.startsWith(start))
      .map((key) => key.slice(start.length).split('.')[0]);
    return [...new Set(names)].filter((name): name is string => name !== undefined);
  }

  function refuseUnreadIn(node: Raw, prefix: string): void {
    for (const [name, value] of Object.entries(node)) {
      const key = prefix === '' ? name : `${prefix}.${name}`;
      if (read.includes(key)) continue;
      if (isMapping(value) && knownBelow(key).length > 0) {
        refuseUnreadIn(value, key);
        continue;
      }
      throw new ConfigError(key, value, `one of the keys ${knownBelow(prefix).join(', ')}`, source);
    }
  }

  return {
    source,
    get(key, variable) {
      read.push(key);
      const fromEnv = variable === undefined ? undefined : env[variable];
      if (fromEnv !== undefined && fromEnv !== '') return { key, value: fromEnv, source: variable };
      return { key, value: valueAt(key), source };
    },
    mapping(key) {
      read.push(key);
      const value = valueAt(key);
      if (value === undefined || value === null) return {};
      if (!isMapping(value)) throw new ConfigError(key, value, 'a mapping', source);
      return value;
    },
    refuseUnread() {
      refuseUnreadIn(raw, '');
    },
  };
}
