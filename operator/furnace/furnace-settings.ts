// The Furnace controller's settings, from the operator's environment (docs/operator.md lists them).
// Pure: main.ts passes process.env through the OperatorContext. A bad value is a ConfigError naming the
// variable, so the operator stops at start-up rather than reconciling with a guess.
import { ConfigError } from '../../core/config/config-error.ts';
import {
  envSetting,
  isHttpUrl,
  readBoolean,
  readChoice,
  readInteger,
  readText,
} from '../../core/config/config-values.ts';
import { DEFAULT_CERTIFICATE_POLICY, type CertificatePolicy } from './certificates.ts';
import { PLATFORMS, type Platform } from './plan-input.ts';

export const FURNACE_OPERATOR_ENV = {
  platform: 'FURNACE_OPERATOR_PLATFORM',
  caLifetimeSeconds: 'FURNACE_OPERATOR_CA_LIFETIME_SECONDS',
  servingLifetimeSeconds: 'FURNACE_OPERATOR_CERT_LIFETIME_SECONDS',
  renewFraction: 'FURNACE_OPERATOR_CERT_RENEW_FRACTION',
  serverAddress: 'FURNACE_OPERATOR_SERVER_ADDRESS',
  webhookUrl: 'FURNACE_OPERATOR_WEBHOOK_URL',
  extraDnsNames: 'FURNACE_OPERATOR_EXTRA_DNS_NAMES',
  readyPollSeconds: 'FURNACE_OPERATOR_READY_POLL_SECONDS',
  allowImageOverrides: 'FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES',
} as const;

export interface FurnaceSettings {
  /** Undefined: ask the API server whether it serves route.openshift.io. */
  platform?: Platform;
  certificates: CertificatePolicy;
  /** `host:port` the readiness check connects to instead of the Service; TLS is still checked for the Service's name. */
  serverAddress?: string;
  webhookUrl?: string;
  extraDnsNames: string[];
  /** How often a Furnace whose server is not ready is looked at again. */
  readyPollMs: number;
  /** Whether spec.images may name other images than the release's (acceptance.ts); off by default. */
  allowImageOverrides: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;
const E = FURNACE_OPERATOR_ENV;
const TEN_YEARS = 10 * 365 * 86_400;

function readFraction(env: Env): number {
  const raw = env[E.renewFraction];
  if (raw === undefined || raw === '') return DEFAULT_CERTIFICATE_POLICY.renewFraction;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value >= 1)
    throw new ConfigError(
      E.renewFraction,
      raw,
      'a number between 0 and 1 (exclusive), e.g. 0.33',
      E.renewFraction,
    );
  return value;
}

function readAddress(env: Env): string | undefined {
  const value = readText(envSetting(env, E.serverAddress), '');
  if (value === '') return undefined;
  if (!/^[^\s/:]+:\d{1,5}$/.test(value) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(value))
    throw new ConfigError(E.serverAddress, value, 'host:port, e.g. 127.0.0.1:8080', E.serverAddress);
  return value;
}

function readWebhookUrl(env: Env): string | undefined {
  const value = readText(envSetting(env, E.webhookUrl), '');
  if (value === '') return undefined;
  if (!isHttpUrl(value) || !value.startsWith('https://'))
    throw new ConfigError(
      E.webhookUrl,
      value,
      'an https:// URL (the API server calls webhooks over TLS)',
      E.webhookUrl,
    );
  return value;
}

export function readFurnaceSettings(env: Env): FurnaceSettings {
  const platform = env[E.platform]
    ? readChoice(envSetting(env, E.platform), 'kubernetes', PLATFORMS)
    : undefined;
  const d = DEFAULT_CERTIFICATE_POLICY;
  const caLifetime = readInteger(
    envSetting(env, E.caLifetimeSeconds),
    d.caLifetimeMs / 1000,
    60,
    TEN_YEARS * 3,
  );
  const servingLifetime = readInteger(
    envSetting(env, E.servingLifetimeSeconds),
    Math.min(d.servingLifetimeMs / 1000, caLifetime),
    60,
    caLifetime,
  );
  const serverAddress = readAddress(env);
  const webhookUrl = readWebhookUrl(env);
  const extra = readText(envSetting(env, E.extraDnsNames), '');
  return {
    ...(platform ? { platform } : {}),
    certificates: {
      caLifetimeMs: caLifetime * 1000,
      servingLifetimeMs: servingLifetime * 1000,
      renewFraction: readFraction(env),
    },
    ...(serverAddress ? { serverAddress } : {}),
    ...(webhookUrl ? { webhookUrl } : {}),
    extraDnsNames: extra
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    readyPollMs: readInteger(envSetting(env, E.readyPollSeconds), 10, 1, 3600) * 1000,
    allowImageOverrides: readBoolean(envSetting(env, E.allowImageOverrides), false),
  };
}
