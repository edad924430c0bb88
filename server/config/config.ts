// Server configuration: the file FURNACE_CONFIG names (YAML or JSON), environment overrides, and the
// webhook's injection config, resolved together into one ServerConfig. Pure: load-config.ts reads the
// files and main.ts passes the environment. Any invalid value, unknown key or unsafe combination throws
// a ConfigError naming the key, the value, the allowed values and the file or variable it came from.
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../core/config/config-error.ts';
import {
  LOG_FORMATS,
  LOG_LEVELS,
  readBoolean,
  readChoice,
  readInteger,
  readText,
  type LogFormat,
  type LogLevel,
} from '../../core/config/config-values.ts';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { resolveInjectionConfig, SERVER_CA_FILE_ENV } from '../../core/injection/injection-config-env.ts';
import { DEFAULT_LIMITS, LIMIT_CEILINGS, type RecordingLimits } from '../../core/contract/limits.ts';
import { SERVER_PORT, WEBHOOK_PORT } from '../../core/contract/names.ts';
import { AUTH_MODES, type AuthMode } from '../auth/access.ts';
import { DEFAULT_SESSION_SECONDS } from '../auth/session-store.ts';
import type { RetentionPolicy } from '../catalog/retention.ts';
import { readRetention } from './config-retention.ts';
import { readSymbolSettings, type SymbolSettings } from './config-symbols.ts';
import { checkSharedCatalogBound, readStorage } from './config-storage.ts';
import type { StorageConfig } from '../storage/storage-config.ts';
import { readMergeSettings } from './config-merge.ts';
import type { MergeSettings } from '../catalog/merge-slots.ts';
import { readAgentSettings, type AgentSettings } from './config-agent.ts';
import { readSecuritySettings, type SecuritySettings } from './config-security.ts';
import { readReplication, type ReplicaSettings } from './config-replicas.ts';
import { readSinkDelivery, readSinks } from './config-sinks.ts';
import { COORDINATION_ENV, type CoordinationSettings } from './config-coordination.ts';
import type { SinkConfig, SinkDeliverySettings } from '../../core/sinks/sink.ts';
import {
  createConfigReader,
  isMapping,
  type ConfigFile,
  type ConfigReader,
  type Env,
  type Raw,
} from './config-reader.ts';
import {
  checkAuthBinding,
  LISTENER_ENV,
  readRecorderListener,
  readRequestHeader,
  type ListenAddress,
  type RequestHeaderConfig,
} from './listener-config.ts';

export { LOG_LEVELS };
export { checkAuthBinding, isLoopback } from './listener-config.ts';
export type { ConfigFile };

/** The environment variables the server reads, beside FURNACE_INJECT_* (docs/webhook.md). */
export const SERVER_ENV = {
  config: 'FURNACE_CONFIG',
  host: 'FURNACE_HOST',
  port: 'FURNACE_PORT',
  authMode: 'FURNACE_AUTH_MODE',
  dataDir: 'FURNACE_DATA_DIR',
  certFile: 'FURNACE_TLS_CERT',
  keyFile: 'FURNACE_TLS_KEY',
  logLevel: 'FURNACE_LOG_LEVEL',
  logFormat: 'FURNACE_LOG_FORMAT',
  localSidecar: 'FURNACE_LOCAL_SIDECAR',
  registrationSecret: 'FURNACE_REGISTRATION_SECRET',
  ...LISTENER_ENV,
  coordinationMode: COORDINATION_ENV.mode,
  podNamespace: COORDINATION_ENV.namespace,
} as const;

export interface WebhookConfig {
  host: string;
  port: number;
  /** What the webhook injects: `webhook.configFile`, then FURNACE_INJECT_* variables. */
  injection: InjectionConfig;
}

export interface ServerConfig extends SecuritySettings {
  local: boolean;
  /** The user listener: UI, API, proxy, catalog. */
  host: string;
  port: number;
  /** The recorder listener: sidecar registration and uploads. */
  recorder: ListenAddress;
  authMode: AuthMode;
  /** Headers an oauth-proxy sets in auth mode `proxy`. */
  userHeader: string;
  groupsHeader: string;
  /** `auth.sessionSeconds`: how long a browser's sign-in lasts on the server. */
  sessionSeconds: number;
  /** Mode `proxy`: the CA of the oauth-proxy's client certificate; identity headers need that certificate. */
  proxyClientCaFile?: string;
  /** The aggregated API: X-Remote-* identity headers count only over a certificate of this CA. */
  requestHeader?: RequestHeaderConfig;
  dataDir: string;
  leaseSeconds: number;
  proxyTimeoutSeconds: number;
  /** `recorder.uploadTimeoutSeconds`: the longest an artifact upload's body may take. */
  uploadTimeoutSeconds: number;
  limits: RecordingLimits;
  namespaceLimits: Record<string, Partial<RecordingLimits>>;
  retention: RetentionPolicy;
  /** `symbols.*`: symbol files uploaded to namespaces (size, per-namespace total, how long they stay). */
  symbols: SymbolSettings;
  /** `storage.*`: where artifacts live (the `filesystem` store under dataDir unless `storage.s3` is set). */
  storage: StorageConfig;
  /** Merged flame graphs: merges at once, waiting, and the cache of rendered ones. */
  merge: MergeSettings;
  tls?: { certFile: string; keyFile: string };
  /** The admission webhook listener; none in local mode or with `webhook.enabled: false`. */
  webhook?: WebhookConfig;
  logLevel: LogLevel;
  /** `json` (one pino line per event; the default in a cluster) or `text` (sentences; local mode's default). */
  logFormat: LogFormat;
  /** Local mode: start the local sidecar process (false when one is run separately). */
  localSidecar: boolean;
  /** Local mode: the secret sidecars register with; a random one when unset. */
  registrationSecret?: string;
  /** Agent mode (`agent.enabled`): node agents register and record pods without a sidecar. */
  agent?: AgentSettings;
  /** `sinks`: where finished recordings are pushed (none by default). */
  sinks: SinkConfig[];
  /** `sinkDelivery.*`: the delivery queue's bounds and retries. */
  sinkDelivery: SinkDeliverySettings;
  /** `replicas.*` and `security.sharedKeyFile`: what N replicas share (config-replicas.ts). */
  replicas: ReplicaSettings;
  /** `coordination.*`: one replica (always leader, slots in memory) or several (Leases). */
  coordination: CoordinationSettings;
  /** `shutdown.drainSeconds`: after SIGTERM, readiness is off and requests are still served this long. */
  drainSeconds: number;
}

/** What resolveConfig reads; load-config.ts fills it from the disk. */
export interface ConfigInput {
  local: boolean;
  env: Env;
  /** The file FURNACE_CONFIG names, parsed. */
  file?: ConfigFile;
  /** The file `webhook.configFile` names, parsed (cluster mode only). */
  injectionFile?: ConfigFile;
  /** The PEM that FURNACE_INJECT_SERVER_CA_FILE names (cluster mode only). */
  serverCa?: string;
}

/** Config file text (JSON is YAML too) to a mapping; `path` names the file in errors. */
export function parseConfigText(text: string, path = 'the config file'): Raw {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? '';
    throw new ConfigError('(file)', reason, 'YAML or JSON', path);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isMapping(parsed)) throw new ConfigError('(file)', parsed, 'a mapping of keys', path);
  return parsed;
}

const LIMIT_MAX = LIMIT_CEILINGS;

function isLimitName(name: string): name is keyof RecordingLimits {
  return name in LIMIT_MAX;
}

/** The limits a mapping overrides, validated; unknown names are refused. */
function limitOverrides(key: string, raw: Raw, source: string | undefined): Partial<RecordingLimits> {
  const overrides: Partial<RecordingLimits> = {};
  for (const [name, value] of Object.entries(raw)) {
    const setting = { key: `${key}.${name}`, value, source };
    if (!isLimitName(name))
      throw new ConfigError(
        setting.key,
        value,
        `one of the keys ${Object.keys(LIMIT_MAX).join(', ')}`,
        source,
      );
    const max = LIMIT_MAX[name];
    // An empty value has nothing to fall back to here: it is refused like any other non-integer.
    if (value === '') throw new ConfigError(setting.key, value, `an integer from 1 to ${max}`, source);
    overrides[name] = readInteger(setting, 1, 1, max);
  }
  return overrides;
}

function readLimits(reader: ConfigReader): Pick<ServerConfig, 'limits' | 'namespaceLimits'> {
  const limits = { ...DEFAULT_LIMITS, ...limitOverrides('limits', reader.mapping('limits'), reader.source) };
  const namespaceLimits: Record<string, Partial<RecordingLimits>> = {};
  for (const [namespace, overrides] of Object.entries(reader.mapping('namespaceLimits'))) {
    const key = `namespaceLimits.${namespace}`;
    if (!isMapping(overrides)) throw new ConfigError(key, overrides, 'a mapping of limits', reader.source);
    namespaceLimits[namespace] = limitOverrides(key, overrides, reader.source);
  }
  return { limits, namespaceLimits };
}

function readTls(reader: ConfigReader, local: boolean): ServerConfig['tls'] {
  const certFile = readText(reader.get('tls.certFile', SERVER_ENV.certFile), '');
  const keyFile = readText(reader.get('tls.keyFile', SERVER_ENV.keyFile), '');
  if (certFile && keyFile) return { certFile, keyFile };
  if (certFile || keyFile || !local) {
    const missing = certFile ? 'tls.keyFile' : 'tls.certFile';
    throw new ConfigError(
      missing,
      undefined,
      `the path of a PEM ${certFile ? 'key' : 'certificate'}${local ? ' (tls.certFile and tls.keyFile go together)' : ' (required in a cluster)'}`,
      reader.source,
    );
  }
  return undefined;
}

/** The files cluster mode reads for the webhook, found before resolveConfig (load-config.ts reads them). */
export function injectionFilesOf(
  file: Raw | undefined,
  env: Env,
  local: boolean,
): { configFile?: string; caFile?: string } {
  const webhook = file?.webhook;
  const settings = isMapping(webhook) ? webhook : {};
  if (local || settings.enabled === false || settings.enabled === 'false') return {};
  const configFile = typeof settings.configFile === 'string' ? settings.configFile : '';
  const caFile = env[SERVER_CA_FILE_ENV] ?? '';
  return { ...(configFile ? { configFile } : {}), ...(caFile ? { caFile } : {}) };
}

function readWebhook(reader: ConfigReader, input: ConfigInput): WebhookConfig | undefined {
  const enabled = readBoolean(reader.get('webhook.enabled'), true);
  const host = readText(reader.get('webhook.host'), '0.0.0.0');
  const port = readInteger(reader.get('webhook.port'), WEBHOOK_PORT, 0, 65535);
  const configFile = readText(reader.get('webhook.configFile'), '');
  if (input.local || !enabled) return undefined;
  if (configFile !== (input.injectionFile?.path ?? ''))
    throw new Error(`webhook.configFile ${configFile} was not read before resolving the configuration`);
  if ((input.env[SERVER_CA_FILE_ENV] ?? '') !== '' && input.serverCa === undefined)
    throw new Error(`${SERVER_CA_FILE_ENV} was not read before resolving the configuration`);
  const injection = resolveInjectionConfig({
    env: input.env,
    ...(input.injectionFile ? { file: input.injectionFile } : {}),
    ...(input.serverCa === undefined ? {} : { serverCa: input.serverCa }),
  });
  return { host, port, injection };
}

/** Builds and validates the whole configuration (see the header of this file). */
export function resolveConfig(input: ConfigInput): ServerConfig {
  const { local } = input;
  const reader = createConfigReader(input.file, input.env);
  const host = reader.get('host', SERVER_ENV.host);
  const port = readInteger(reader.get('port', SERVER_ENV.port), SERVER_PORT, 0, 65535);
  const authMode = reader.get('auth.mode', SERVER_ENV.authMode);
  const config: Omit<ServerConfig, keyof SecuritySettings> = {
    local,
    host: readText(host, local ? '127.0.0.1' : '0.0.0.0'),
    port,
    authMode: readChoice(authMode, local ? 'none' : 'kubernetes', AUTH_MODES),
    userHeader: readText(reader.get('auth.userHeader'), 'x-forwarded-user').toLowerCase(),
    groupsHeader: readText(reader.get('auth.groupsHeader'), 'x-forwarded-groups').toLowerCase(),
    sessionSeconds: readInteger(reader.get('auth.sessionSeconds'), DEFAULT_SESSION_SECONDS, 60, 7 * 86_400),
    dataDir: readText(
      reader.get('dataDir', SERVER_ENV.dataDir),
      local ? './.furnace-data' : '/var/lib/furnace',
    ),
    recorder: readRecorderListener(reader, local),
    leaseSeconds: readInteger(reader.get('leaseSeconds'), 30, 5, 3600),
    proxyTimeoutSeconds: readInteger(reader.get('proxyTimeoutSeconds'), 30, 1, 600),
    uploadTimeoutSeconds: readInteger(reader.get('recorder.uploadTimeoutSeconds'), 600, 1, 86_400),
    ...readLimits(reader),
    retention: readRetention(reader),
    symbols: readSymbolSettings(reader),
    storage: readStorage(reader),
    merge: readMergeSettings(reader),
    logLevel: readChoice(reader.get('logLevel', SERVER_ENV.logLevel), 'info', LOG_LEVELS),
    logFormat: readChoice(
      reader.get('logFormat', SERVER_ENV.logFormat),
      local ? 'text' : 'json',
      LOG_FORMATS,
    ),
    localSidecar: readBoolean(reader.get('localSidecar', SERVER_ENV.localSidecar), true),
    sinks: readSinks(reader),
    sinkDelivery: readSinkDelivery(reader),
    ...readReplication(reader, local),
    drainSeconds: readInteger(reader.get('shutdown.drainSeconds'), 0, 0, 120),
  };
  Object.assign(config, readOptionalSettings(reader, input));
  const clientCa = reader.get('auth.proxyClientCaFile');
  const clientCaFile = readText(clientCa, '');
  if (clientCaFile) config.proxyClientCaFile = clientCaFile;
  checkSharedCatalogBound(reader, config.storage, config.retention.maxCount, { local });
  const resolved: ServerConfig = {
    ...config,
    ...readSecuritySettings(reader, config.webhook?.injection.image),
  };
  reader.refuseUnread();
  checkAuthBinding(resolved, {
    host: host.source,
    authMode: authMode.source,
    proxyClientCaFile: clientCa.source,
    requestHeader: reader.source,
  });
  return resolved;
}

/** The settings that are absent unless configured: registration secret, TLS, webhook, agent, front proxy. */
function readOptionalSettings(
  reader: ConfigReader,
  input: ConfigInput,
): Pick<Partial<ServerConfig>, 'registrationSecret' | 'tls' | 'webhook' | 'agent' | 'requestHeader'> {
  const settings: Pick<
    Partial<ServerConfig>,
    'registrationSecret' | 'tls' | 'webhook' | 'agent' | 'requestHeader'
  > = {};
  const secret = readText(reader.get('registrationSecret', SERVER_ENV.registrationSecret), '');
  if (secret) settings.registrationSecret = secret;
  const tls = readTls(reader, input.local);
  if (tls) settings.tls = tls;
  const webhook = readWebhook(reader, input);
  if (webhook) settings.webhook = webhook;
  const agent = readAgentSettings(reader, input.local);
  if (agent) settings.agent = agent;
  const requestHeader = readRequestHeader(reader);
  if (requestHeader) settings.requestHeader = requestHeader;
  return settings;
}

export function limitsFor(
  config: Pick<ServerConfig, 'limits' | 'namespaceLimits'>,
  namespace: string,
): RecordingLimits {
  return { ...config.limits, ...config.namespaceLimits[namespace] };
}
