// What the webhook injects, as configuration: loaded once at start-up, validated, then read-only.
//
// Stable API (server/main.ts calls it):
//   parseInjectionConfig(raw: unknown): InjectionConfig
//     `raw` is a partial object (from a YAML/JSON file, merged with injectionConfigFromEnv(env));
//     missing keys take DEFAULT_INJECTION_CONFIG. Throws a ConfigError (core/config/config-error.ts) naming the
//     key, the value and the allowed values; start-up stops on it (server/config/load-config.ts adds the source).
import { isRecord } from './is-record.ts';
import { ConfigError } from '../config/config-error.ts';
import { isHttpUrl } from '../config/config-values.ts';
import { RECORDER_PORT } from '../contract/names.ts';
import { pickDebuginfodUrls, pickRegistryCas } from './symbols-config.ts';

export const SECURITY_PROFILES = ['privileged', 'capabilities'] as const;
export type SecurityProfile = (typeof SECURITY_PROFILES)[number];

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** Kubernetes quantities; an empty string leaves that request or limit unset. */
export interface ResourceAmounts {
  cpu: string;
  memory: string;
}

export interface InjectionConfig {
  /** Sidecar image; the container runs the image's default command. */
  image: string;
  imagePullPolicy: PullPolicy;
  /** Where sidecars register and upload (FURNACE_SERVER_URL): the server's recorder listener. */
  serverUrl: string;
  /** PEM of the CA that signs the server certificate (FURNACE_SERVER_CA); empty: system roots. */
  serverCa: string;
  securityProfile: SecurityProfile;
  resources: { requests: ResourceAmounts; limits: ResourceAmounts };
  /** Lifetime of the projected registration token; the kubelet refreshes it at 80 %. */
  tokenExpirationSeconds: number;
  /** emptyDir size limit for recordings in progress and their artifacts. */
  outputSizeLimit: string;
  /** emptyDir size limit for image layers pulled to read symbols (`symbols: image`). */
  storageSizeLimit: string;
  /** Also mount the host's /usr/src/kernels (RHEL-family nodes keep kernel headers there). */
  mountKernelSources: boolean;
  /** debuginfod servers for stripped binaries, tried in order: the sidecar's DEBUGINFOD_URLS; none unset. */
  debuginfodUrls: string[];
  /**
   * Registries (host[:port]) whose CA the sidecar's podman trusts for `symbols: image`, each from the
   * ConfigMap furnace-server-ca in the pod's namespace (key registryCaKey(registry)); none unset.
   */
  registryCas: string[];
}

export const DEFAULT_INJECTION_CONFIG: Readonly<InjectionConfig> = Object.freeze({
  image: 'quay.io/hyperfoil/furnace-sidecar:latest',
  imagePullPolicy: 'IfNotPresent',
  serverUrl: `https://furnace.furnace.svc:${RECORDER_PORT}`,
  serverCa: '',
  securityProfile: 'privileged',
  resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  tokenExpirationSeconds: 600,
  outputSizeLimit: '1Gi',
  storageSizeLimit: '2Gi',
  mountKernelSources: false,
  debuginfodUrls: [],
  registryCas: [],
});

/** The API server refuses projected tokens shorter than ten minutes. */
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
export const MAX_TOKEN_EXPIRATION_SECONDS = 86_400;

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const TOP_KEYS = Object.keys(DEFAULT_INJECTION_CONFIG) as (keyof InjectionConfig)[];

function invalid(key: string, value: unknown, allowed: string): ConfigError {
  return new ConfigError(key, value, allowed);
}

function checkKeys(key: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(value)) {
    if (allowed.includes(k)) continue;
    throw invalid(key === '' ? k : `${key}.${k}`, value[k], `one of the keys ${allowed.join(', ')}`);
  }
}

/** `value` when `rule.test` takes it, `fallback` when it is absent; otherwise refused, saying what is `allowed`. */
function pickString(
  key: string,
  value: unknown,
  fallback: string,
  { test, allowed }: { test: (s: string) => boolean; allowed: string },
): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !test(value)) throw invalid(key, value, allowed);
  return value;
}

function pickEnum<T extends string>(key: string, value: unknown, fallback: T, values: readonly T[]): T {
  if (value === undefined) return fallback;
  const match = values.find((v) => v === value);
  if (match === undefined) throw invalid(key, value, values.join(', '));
  return match;
}

function pickQuantity(key: string, value: unknown, fallback: string, allowEmpty: boolean): string {
  const allowed = `a Kubernetes quantity such as 500m, 2, 64Mi or 1Gi${allowEmpty ? ', or "" for none' : ''}`;
  return pickString(key, value, fallback, {
    test: (s) => (allowEmpty && s === '') || QUANTITY.test(s),
    allowed,
  });
}

function pickAmounts(key: string, value: unknown, fallback: ResourceAmounts): ResourceAmounts {
  if (value === undefined) return { ...fallback };
  if (!isRecord(value)) throw invalid(key, value, 'an object with cpu and memory');
  checkKeys(key, value, ['cpu', 'memory']);
  return {
    cpu: pickQuantity(`${key}.cpu`, value.cpu, fallback.cpu, true),
    memory: pickQuantity(`${key}.memory`, value.memory, fallback.memory, true),
  };
}

function pickResources(value: unknown, fallback: InjectionConfig['resources']): InjectionConfig['resources'] {
  if (value === undefined) return { requests: { ...fallback.requests }, limits: { ...fallback.limits } };
  if (!isRecord(value)) throw invalid('resources', value, 'an object with requests and limits');
  checkKeys('resources', value, ['requests', 'limits']);
  return {
    requests: pickAmounts('resources.requests', value.requests, fallback.requests),
    limits: pickAmounts('resources.limits', value.limits, fallback.limits),
  };
}

function pickExpiration(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= MIN_TOKEN_EXPIRATION_SECONDS &&
    value <= MAX_TOKEN_EXPIRATION_SECONDS;
  if (!ok) {
    throw invalid(
      'tokenExpirationSeconds',
      value,
      `an integer from ${MIN_TOKEN_EXPIRATION_SECONDS} to ${MAX_TOKEN_EXPIRATION_SECONDS}`,
    );
  }
  return value;
}

function pickBoolean(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(key, value, 'true, false');
  return value;
}

/** Validates raw configuration (see the header of this file). */
export function parseInjectionConfig(raw: unknown): InjectionConfig {
  const input = raw ?? {};
  if (!isRecord(input)) throw invalid('(root)', input, 'an object');
  checkKeys('', input, TOP_KEYS);
  const d = DEFAULT_INJECTION_CONFIG;
  return {
    image: pickString('image', input.image, d.image, {
      test: (s) => /^[^\s]+$/.test(s),
      allowed: 'an image reference without spaces',
    }),
    imagePullPolicy: pickEnum('imagePullPolicy', input.imagePullPolicy, d.imagePullPolicy, PULL_POLICIES),
    serverUrl: pickString('serverUrl', input.serverUrl, d.serverUrl, {
      test: isHttpUrl,
      allowed: 'an https:// or http:// URL',
    }),
    serverCa: pickString('serverCa', input.serverCa, d.serverCa, {
      test: (s) => s === '' || s.includes('-----BEGIN CERTIFICATE-----'),
      allowed: 'a PEM certificate bundle, or "" for the system roots',
    }),
    securityProfile: pickEnum('securityProfile', input.securityProfile, d.securityProfile, SECURITY_PROFILES),
    resources: pickResources(input.resources, d.resources),
    tokenExpirationSeconds: pickExpiration(input.tokenExpirationSeconds, d.tokenExpirationSeconds),
    outputSizeLimit: pickQuantity('outputSizeLimit', input.outputSizeLimit, d.outputSizeLimit, false),
    storageSizeLimit: pickQuantity('storageSizeLimit', input.storageSizeLimit, d.storageSizeLimit, false),
    mountKernelSources: pickBoolean('mountKernelSources', input.mountKernelSources, d.mountKernelSources),
    debuginfodUrls: pickDebuginfodUrls(input.debuginfodUrls, d.debuginfodUrls),
    registryCas: pickRegistryCas(input.registryCas, d.registryCas),
  };
}
