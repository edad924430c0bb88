// Server configuration: a JSON or YAML file (FURNACE_CONFIG) plus environment overrides, validated.
// An invalid value stops start-up with a message naming the key and the allowed values.
import { parse as parseYaml } from 'yaml';
import { DEFAULT_LIMITS, type RecordingLimits } from '../core/limits.ts';
import { SERVER_PORT, WEBHOOK_PORT } from '../core/names.ts';
import { AUTH_MODES, type AuthMode } from './auth/access.ts';
import { DEFAULT_RETENTION, type RetentionPolicy } from './catalog/retention.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface ServerConfig {
  local: boolean;
  host: string;
  port: number;
  authMode: AuthMode;
  /** Headers an oauth-proxy sets in auth mode `proxy`. */
  userHeader: string;
  groupsHeader: string;
  dataDir: string;
  leaseSeconds: number;
  proxyTimeoutSeconds: number;
  limits: RecordingLimits;
  namespaceLimits: Record<string, Partial<RecordingLimits>>;
  retention: RetentionPolicy;
  tls?: { certFile: string; keyFile: string };
  webhook: { enabled: boolean; port: number; configFile?: string };
  logLevel: (typeof LOG_LEVELS)[number];
  /** Local mode: start the local sidecar process (false when one is run separately). */
  localSidecar: boolean;
  /** Local mode: the secret sidecars register with; a random one when unset. */
  registrationSecret?: string;
}

export class ConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    super(`invalid configuration: ${key} = ${JSON.stringify(value)}; allowed: ${allowed}`);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;

/** Config file text (JSON is YAML too) to an object. */
export function parseConfigText(text: string): Raw {
  const parsed: unknown = parseYaml(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError('(file)', parsed, 'a mapping of keys');
  return parsed as Raw;
}

function objectAt(raw: Raw, key: string): Raw {
  const value = raw[key];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(key, value, 'a mapping');
  return value as Raw;
}

function integer(key: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(key, value, `an integer from ${min} to ${max}`);
  }
  return number;
}

function choice<T extends string>(key: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new ConfigError(key, value, allowed.join(', '));
  return value as T;
}

function text(key: string, value: unknown, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string') throw new ConfigError(key, value, 'a string');
  return value;
}

function flag(value: unknown): unknown {
  return typeof value === 'boolean' ? String(value) : value;
}

const LIMIT_MAX: Record<keyof RecordingLimits, number> = {
  maxDurationSeconds: 86_400,
  maxFrequency: 100_000,
  maxConcurrentPerSidecar: 100,
  maxConcurrentPerNamespace: 10_000,
  maxConcurrentPerCluster: 100_000,
  maxArtifactBytes: 1024 ** 4,
};

function limitsFrom(key: string, raw: Raw, base: RecordingLimits): RecordingLimits {
  const limits = { ...base };
  for (const name of Object.keys(raw)) {
    if (!(name in LIMIT_MAX))
      throw new ConfigError(
        `${key}.${name}`,
        raw[name],
        `one of the keys ${Object.keys(LIMIT_MAX).join(', ')}`,
      );
    const field = name as keyof RecordingLimits;
    limits[field] = integer(`${key}.${name}`, raw[name], base[field], 1, LIMIT_MAX[field]);
  }
  return limits;
}

function namespaceLimitsFrom(raw: Raw, base: RecordingLimits): Record<string, Partial<RecordingLimits>> {
  const result: Record<string, Partial<RecordingLimits>> = {};
  for (const namespace of Object.keys(raw)) {
    const overrides = objectAt(raw, namespace);
    const full = limitsFrom(`namespaceLimits.${namespace}`, overrides, base);
    result[namespace] = Object.fromEntries(
      Object.keys(overrides).map((k) => [k, full[k as keyof RecordingLimits]]),
    );
  }
  return result;
}

/** Builds the configuration; `env` is the process environment, passed in by main.ts. */
export function resolveConfig(
  file: Raw,
  env: Record<string, string | undefined>,
  local: boolean,
): ServerConfig {
  const auth = objectAt(file, 'auth');
  const tls = objectAt(file, 'tls');
  const webhook = objectAt(file, 'webhook');
  const retention = objectAt(file, 'retention');
  const limits = limitsFrom('limits', objectAt(file, 'limits'), DEFAULT_LIMITS);
  const config: ServerConfig = {
    local,
    host: text('host', env.FURNACE_HOST ?? file.host, local ? '127.0.0.1' : '0.0.0.0'),
    port: integer('port', env.FURNACE_PORT ?? file.port, SERVER_PORT, 0, 65535),
    authMode: choice(
      'auth.mode',
      env.FURNACE_AUTH_MODE ?? auth.mode,
      local ? 'none' : 'kubernetes',
      AUTH_MODES,
    ),
    userHeader: text('auth.userHeader', auth.userHeader, 'x-forwarded-user').toLowerCase(),
    groupsHeader: text('auth.groupsHeader', auth.groupsHeader, 'x-forwarded-groups').toLowerCase(),
    dataDir: text(
      'dataDir',
      env.FURNACE_DATA_DIR ?? file.dataDir,
      local ? './.furnace-data' : '/var/lib/furnace',
    ),
    leaseSeconds: integer('leaseSeconds', file.leaseSeconds, 30, 5, 3600),
    proxyTimeoutSeconds: integer('proxyTimeoutSeconds', file.proxyTimeoutSeconds, 30, 1, 600),
    limits,
    namespaceLimits: namespaceLimitsFrom(objectAt(file, 'namespaceLimits'), limits),
    retention: {
      maxCount: integer('retention.maxCount', retention.maxCount, DEFAULT_RETENTION.maxCount, 1, 10_000_000),
      maxAgeSeconds: integer(
        'retention.maxAgeSeconds',
        retention.maxAgeSeconds,
        DEFAULT_RETENTION.maxAgeSeconds,
        60,
        10 * 365 * 86_400,
      ),
      maxBytes: integer(
        'retention.maxBytes',
        retention.maxBytes,
        DEFAULT_RETENTION.maxBytes,
        1024,
        Number.MAX_SAFE_INTEGER,
      ),
    },
    webhook: {
      enabled: !local && webhook.enabled !== false,
      port: integer('webhook.port', webhook.port, WEBHOOK_PORT, 0, 65535),
    },
    logLevel: choice('logLevel', env.FURNACE_LOG_LEVEL ?? file.logLevel, 'info', LOG_LEVELS),
    localSidecar:
      choice('localSidecar', env.FURNACE_LOCAL_SIDECAR ?? flag(file.localSidecar), 'true', [
        'true',
        'false',
      ]) === 'true',
  };
  const secret = text('registrationSecret', env.FURNACE_REGISTRATION_SECRET ?? file.registrationSecret, '');
  if (secret) config.registrationSecret = secret;
  const webhookConfig = text('webhook.configFile', webhook.configFile, '');
  if (webhookConfig) config.webhook.configFile = webhookConfig;
  const certFile = text('tls.certFile', env.FURNACE_TLS_CERT ?? tls.certFile, '');
  const keyFile = text('tls.keyFile', env.FURNACE_TLS_KEY ?? tls.keyFile, '');
  if (certFile && keyFile) config.tls = { certFile, keyFile };
  if (!local && !config.tls)
    throw new ConfigError(
      'tls.certFile/tls.keyFile',
      undefined,
      'paths of a PEM certificate and key (required in a cluster)',
    );
  return config;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses auth mode `none` on anything but loopback. */
export function checkAuthBinding(config: ServerConfig): void {
  if (config.authMode === 'none' && !isLoopback(config.host)) {
    throw new ConfigError(
      'host',
      config.host,
      'a loopback address (127.0.0.1, ::1, localhost) while auth.mode is none',
    );
  }
}

export function limitsFor(config: ServerConfig, namespace: string): RecordingLimits {
  return { ...config.limits, ...config.namespaceLimits[namespace] };
}
