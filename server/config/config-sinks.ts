// The sinks (`sinks`, a list) and the delivery queue's settings (`sinkDelivery.*`), checked like every
// other key: an unknown key, a bad value or an unsafe combination stops start-up with the key, the value
// and what is allowed. Secrets are never values here: TLS material and credentials are files mounted
// from a Secret, named by path, and credentials are refused over plain http. Pure, like config.ts.
import { ConfigError } from '../../core/config/config-error.ts';
import { isHttpUrl, readChoice, readInteger } from '../../core/config/config-values.ts';
import {
  DEFAULT_SINK_DELIVERY,
  DEFAULT_SINK_TIMEOUT_SECONDS,
  PYROSCOPE_FORMATS,
  SINK_NAME_PATTERN,
  SINK_RECORDINGS,
  SINK_TYPES,
  type SinkConfig,
  type SinkCredentials,
  type SinkDeliverySettings,
  type SinkTls,
} from '../../core/sinks/sink.ts';
import { isMapping, type ConfigReader, type Raw } from './config-reader.ts';

const SINK_KEYS = [
  'name',
  'type',
  'url',
  'namespaces',
  'recordings',
  'continuous',
  'format',
  'tenant',
  'application',
  'tls',
  'credentials',
  'timeoutSeconds',
];
const TLS_KEYS = ['caFile', 'certFile', 'keyFile', 'serverName'];
const CREDENTIAL_KEYS = ['bearerTokenFile', 'usernameFile', 'passwordFile'];
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Printable ASCII without spaces: what an HTTP header value (the tenant) can carry as it is. */
const HEADER_VALUE = /^[\x21-\x7e]{1,256}$/;

/**
 * Below the first compaction (agent.continuous.minuteWindowsAfterHours is at least 1 h, plus the longest
 * window): a window is pushed before compaction may merge it.
 */
export const MAX_WINDOW_GRACE_SECONDS = 3000;

type At = (key: string, value: unknown, allowed: string) => ConfigError;

function refuseUnknown(raw: Raw, keys: readonly string[], prefix: string, at: At): void {
  for (const key of Object.keys(raw))
    if (!keys.includes(key)) throw at(`${prefix}.${key}`, raw[key], `one of the keys ${keys.join(', ')}`);
}

function optionalText(raw: Raw, key: string, prefix: string, at: At): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw at(`${prefix}.${key}`, value, 'a non-empty string');
  return value;
}

function readTls(raw: unknown, prefix: string, at: At): SinkTls | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw)) throw at(prefix, raw, 'a mapping of caFile, certFile, keyFile, serverName');
  refuseUnknown(raw, TLS_KEYS, prefix, at);
  const tls: SinkTls = {};
  for (const key of TLS_KEYS as (keyof SinkTls)[]) {
    const value = optionalText(raw, key, prefix, at);
    if (value !== undefined) tls[key] = value;
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined))
    throw at(
      `${prefix}.${tls.certFile ? 'keyFile' : 'certFile'}`,
      undefined,
      'certFile and keyFile go together',
    );
  return tls;
}

function readCredentials(raw: unknown, prefix: string, at: At): SinkCredentials | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw))
    throw at(prefix, raw, 'a mapping of bearerTokenFile, or usernameFile and passwordFile');
  refuseUnknown(raw, CREDENTIAL_KEYS, prefix, at);
  const credentials: SinkCredentials = {};
  for (const key of CREDENTIAL_KEYS as (keyof SinkCredentials)[]) {
    const value = optionalText(raw, key, prefix, at);
    if (value !== undefined) credentials[key] = value;
  }
  const basic = credentials.usernameFile !== undefined || credentials.passwordFile !== undefined;
  if (basic && (credentials.usernameFile === undefined || credentials.passwordFile === undefined))
    throw at(prefix, raw, 'usernameFile and passwordFile go together');
  if (basic === (credentials.bearerTokenFile !== undefined))
    throw at(prefix, raw, 'either bearerTokenFile, or usernameFile and passwordFile');
  return credentials;
}

function readUrl(raw: Raw, prefix: string, at: At): string {
  const url = raw.url;
  const allowed = 'an http:// or https:// URL without user, query or fragment';
  if (typeof url !== 'string' || !isHttpUrl(url)) throw at(`${prefix}.url`, url, allowed);
  const parsed = new URL(url);
  if (parsed.username || parsed.password || parsed.search || parsed.hash)
    throw at(`${prefix}.url`, url, allowed);
  return url;
}

function readNamespaces(raw: Raw, prefix: string, at: At): string[] | undefined {
  const value = raw.namespaces;
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((n) => typeof n === 'string' && NAMESPACE.test(n))
  )
    throw at(
      `${prefix}.namespaces`,
      value,
      'a non-empty list of namespace names (leave it out for every namespace)',
    );
  return [...new Set(value as string[])];
}

function readPyroscopeKeys(
  raw: Raw,
  type: SinkConfig['type'],
  prefix: string,
  at: At,
): Pick<SinkConfig, 'format' | 'tenant' | 'application'> {
  const setting = (key: string) => ({ key: `${prefix}.${key}`, value: raw[key] });
  if (type === 'otlp')
    for (const key of ['format', 'tenant', 'application'])
      if (raw[key] !== undefined)
        throw at(`${prefix}.${key}`, raw[key], 'nothing: only pyroscope sinks have it');
  const out: Pick<SinkConfig, 'format' | 'tenant' | 'application'> = {
    format: readChoice(setting('format'), 'pprof', PYROSCOPE_FORMATS),
  };
  const tenant = optionalText(raw, 'tenant', prefix, at);
  if (tenant !== undefined && !HEADER_VALUE.test(tenant))
    throw at(`${prefix}.tenant`, tenant, 'printable ASCII without spaces (an X-Scope-OrgID header)');
  if (tenant !== undefined) out.tenant = tenant;
  const application = optionalText(raw, 'application', prefix, at);
  if (application !== undefined) out.application = application;
  return out;
}

function readContinuous(raw: Raw, prefix: string, at: At): boolean {
  const value = raw.continuous;
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw at(`${prefix}.continuous`, value, 'true or false');
  return value;
}

function readSink(raw: unknown, index: number, at: At): SinkConfig {
  const prefix = `sinks[${index}]`;
  if (!isMapping(raw)) throw at(prefix, raw, 'a mapping with name, type and url');
  refuseUnknown(raw, SINK_KEYS, prefix, at);
  const name = raw.name;
  if (typeof name !== 'string' || !new RegExp(SINK_NAME_PATTERN).test(name))
    throw at(`${prefix}.name`, name, 'a DNS label (lower-case letters, digits and -, at most 63)');
  const type = readChoice({ key: `${prefix}.type`, value: raw.type ?? '(unset)' }, 'otlp', SINK_TYPES);
  const url = readUrl(raw, prefix, at);
  const sink: SinkConfig = {
    name,
    type,
    url,
    recordings: readChoice({ key: `${prefix}.recordings`, value: raw.recordings }, 'all', SINK_RECORDINGS),
    continuous: readContinuous(raw, prefix, at),
    timeoutSeconds: readInteger(
      { key: `${prefix}.timeoutSeconds`, value: raw.timeoutSeconds },
      DEFAULT_SINK_TIMEOUT_SECONDS,
      1,
      600,
    ),
    ...readPyroscopeKeys(raw, type, prefix, at),
  };
  const namespaces = readNamespaces(raw, prefix, at);
  if (namespaces) sink.namespaces = namespaces;
  const tls = readTls(raw.tls, `${prefix}.tls`, at);
  if (tls) sink.tls = tls;
  const credentials = readCredentials(raw.credentials, `${prefix}.credentials`, at);
  if (credentials) sink.credentials = credentials;
  if (credentials && new URL(url).protocol !== 'https:')
    throw at(`${prefix}.url`, url, 'an https:// URL: credentials are never sent over plain http');
  return sink;
}

export function readSinks(reader: ConfigReader): SinkConfig[] {
  const setting = reader.get('sinks');
  const at: At = (key, value, allowed) => new ConfigError(key, value, allowed, setting.source);
  if (setting.value === undefined || setting.value === null) return [];
  if (!Array.isArray(setting.value)) throw at('sinks', setting.value, 'a list of sinks');
  const sinks = setting.value.map((raw, index) => readSink(raw, index, at));
  const names = new Set<string>();
  for (const [index, sink] of sinks.entries()) {
    if (names.has(sink.name)) throw at(`sinks[${index}].name`, sink.name, 'a name no other sink has');
    names.add(sink.name);
  }
  return sinks;
}

export function readSinkDelivery(reader: ConfigReader): SinkDeliverySettings {
  const d = DEFAULT_SINK_DELIVERY;
  const initial = readInteger(
    reader.get('sinkDelivery.initialBackoffSeconds'),
    d.initialBackoffSeconds,
    1,
    3600,
  );
  const maxSetting = reader.get('sinkDelivery.maxBackoffSeconds');
  const maxBackoffSeconds = readInteger(maxSetting, Math.max(initial, d.maxBackoffSeconds), 1, 86_400);
  if (maxBackoffSeconds < initial)
    throw new ConfigError(
      maxSetting.key,
      maxBackoffSeconds,
      `at least sinkDelivery.initialBackoffSeconds (${initial})`,
      maxSetting.source,
    );
  return {
    maxQueued: readInteger(reader.get('sinkDelivery.maxQueued'), d.maxQueued, 1, 1_000_000),
    concurrency: readInteger(reader.get('sinkDelivery.concurrency'), d.concurrency, 1, 64),
    initialBackoffSeconds: initial,
    maxBackoffSeconds,
    maxAgeSeconds: readInteger(reader.get('sinkDelivery.maxAgeSeconds'), d.maxAgeSeconds, 60, 30 * 86_400),
    windowGraceSeconds: readInteger(
      reader.get('sinkDelivery.windowGraceSeconds'),
      d.windowGraceSeconds,
      60,
      MAX_WINDOW_GRACE_SECONDS,
    ),
  };
}
