// Environment variables that override the injection config file, mapped to raw config keys, and the
// one resolution of file + environment into a validated InjectionConfig.
// Pure: the caller reads the files and passes the environment.
import { isRecord } from './is-record.ts';
import { ConfigError } from '../config/config-error.ts';
import { parseInjectionConfig, type InjectionConfig } from './injection-config.ts';

/** Environment variable → config key path. Values are strings; numbers and booleans are converted here. */
export const INJECTION_CONFIG_ENV: Readonly<Record<string, string>> = {
  FURNACE_INJECT_IMAGE: 'image',
  FURNACE_INJECT_IMAGE_PULL_POLICY: 'imagePullPolicy',
  FURNACE_INJECT_SERVER_URL: 'serverUrl',
  FURNACE_INJECT_SECURITY_PROFILE: 'securityProfile',
  FURNACE_INJECT_CPU_REQUEST: 'resources.requests.cpu',
  FURNACE_INJECT_MEMORY_REQUEST: 'resources.requests.memory',
  FURNACE_INJECT_CPU_LIMIT: 'resources.limits.cpu',
  FURNACE_INJECT_MEMORY_LIMIT: 'resources.limits.memory',
  FURNACE_INJECT_TOKEN_EXPIRATION_SECONDS: 'tokenExpirationSeconds',
  FURNACE_INJECT_OUTPUT_SIZE_LIMIT: 'outputSizeLimit',
  FURNACE_INJECT_STORAGE_SIZE_LIMIT: 'storageSizeLimit',
  FURNACE_INJECT_MOUNT_KERNEL_SOURCES: 'mountKernelSources',
  /** Separated by spaces, as in DEBUGINFOD_URLS itself. */
  FURNACE_INJECT_DEBUGINFOD_URLS: 'debuginfodUrls',
  /** Separated by spaces. */
  FURNACE_INJECT_REGISTRY_CAS: 'registryCas',
};

/** Names a PEM file whose content becomes `serverCa` (the webhook reads it at start-up). */
export const SERVER_CA_FILE_ENV = 'FURNACE_INJECT_SERVER_CA_FILE';

type Raw = Record<string, unknown>;
type Env = Readonly<Record<string, string | undefined>>;

function convert(path: string, value: string): unknown {
  if (path === 'tokenExpirationSeconds') return /^\d+$/.test(value) ? Number(value) : value;
  if (path === 'debuginfodUrls' || path === 'registryCas')
    return value.split(/\s+/).filter((url) => url !== '');
  if (path === 'mountKernelSources') {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  return value;
}

function setPath(target: Raw, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = isRecord(next) ? next : (node[key] = {});
  }
  node[keys[keys.length - 1] ?? path] = value;
}

/** The raw overrides that the environment asks for (unset and empty variables are ignored). */
export function injectionConfigFromEnv(env: Readonly<Record<string, string | undefined>>): Raw {
  const raw: Raw = {};
  for (const [name, path] of Object.entries(INJECTION_CONFIG_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, convert(path, value));
  }
  return raw;
}

/** Deep-merges raw config objects; later ones win key by key. */
export function mergeRawConfig(...layers: unknown[]): Raw {
  const out: Raw = {};
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      const current = out[key];
      out[key] = isRecord(current) && isRecord(value) ? mergeRawConfig(current, value) : value;
    }
  }
  return out;
}

export interface InjectionSources {
  /** The injection config file (`webhook.configFile`), parsed; `path` names it in errors. */
  file?: { path: string; raw: unknown };
  env: Env;
  /** The content of the file FURNACE_INJECT_SERVER_CA_FILE names, read by the caller. */
  serverCa?: string;
}

/** Which environment variable set a key, if one did. */
function variableOf(key: string, sources: InjectionSources): string | undefined {
  if (key === 'serverCa' && sources.serverCa !== undefined) return SERVER_CA_FILE_ENV;
  const set = (name: string): boolean => (sources.env[name] ?? '') !== '';
  // A list's item (`debuginfodUrls[2]`) came from the variable that set the list.
  const path = key.replace(/\[\d+\]$/, '');
  return Object.entries(INJECTION_CONFIG_ENV).find(([name, p]) => p === path && set(name))?.[0];
}

/** The file, then the environment key by key; a ConfigError names the file or the variable. */
export function resolveInjectionConfig(sources: InjectionSources): InjectionConfig {
  const fromEnv = injectionConfigFromEnv(sources.env);
  if (sources.serverCa !== undefined) fromEnv.serverCa = sources.serverCa;
  try {
    return parseInjectionConfig(mergeRawConfig(sources.file?.raw ?? {}, fromEnv));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw error.from(variableOf(error.key, sources) ?? sources.file?.path);
  }
}
