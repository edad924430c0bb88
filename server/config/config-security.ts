// The security settings of the server configuration: whole-node recordings, which sidecar images may
// register, and how token reviews are cached and rate-limited. Pure, like config.ts, which calls it.
import { isIP } from 'node:net';
import { ConfigError } from '../../core/config/config-error.ts';
import { readBoolean, readInteger } from '../../core/config/config-values.ts';
import { DEFAULT_INJECTION_CONFIG } from '../../core/injection/injection-config.ts';
import type { ConfigReader } from './config-reader.ts';
import { DEFAULT_TOKEN_CACHE_SETTINGS, type TokenCacheSettings } from '../kube/token-cache.ts';

export interface SecuritySettings {
  /** `recording.allowSystemWide`: whole-node recordings may be started (with their own permission). */
  allowSystemWide: boolean;
  /**
   * Images a registering pod's furnace container may run: the webhook's injection image (the default
   * one when the webhook is off), then `registration.sidecarImages`.
   */
  sidecarImages: string[];
  /** How TokenReview answers are cached and failed reviews rate-limited. */
  tokenReview: TokenCacheSettings;
  /**
   * `ingress.trustedProxies`: addresses or CIDR ranges of the Route/Ingress in front of the user listener,
   * whose X-Forwarded-For names the client (per-client review budgets); empty: X-Forwarded-For is ignored.
   */
  trustedProxies: string[];
}

const PROXIES_ALLOWED = 'a list of IP addresses or CIDR ranges (10.128.0.0/14, fd00::/8)';

/** An IP address, or one with a prefix length that fits its family. */
function isAddressOrRange(entry: unknown): boolean {
  if (typeof entry !== 'string') return false;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
  return bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

function readTrustedProxies(reader: ConfigReader): string[] {
  const setting = reader.get('ingress.trustedProxies');
  const value: unknown = setting.value ?? [];
  if (!Array.isArray(value) || !value.every(isAddressOrRange))
    throw new ConfigError(setting.key, value, PROXIES_ALLOWED, setting.source);
  return value as string[];
}

function readTokenReview(reader: ConfigReader): TokenCacheSettings {
  const d = DEFAULT_TOKEN_CACHE_SETTINGS;
  const count = (key: string, fallback: number): number =>
    readInteger(reader.get(key), fallback, 1, 1_000_000);
  return {
    ttlSeconds: readInteger(reader.get('tokenReview.cacheSeconds'), d.ttlSeconds, 1, 3600),
    failureTtlSeconds: readInteger(
      reader.get('tokenReview.failureCacheSeconds'),
      d.failureTtlSeconds,
      1,
      600,
    ),
    clientFailuresPerMinute: count('tokenReview.clientFailuresPerMinute', d.clientFailuresPerMinute),
    failuresPerMinute: count('tokenReview.failuresPerMinute', d.failuresPerMinute),
  };
}

const IMAGES_ALLOWED = 'a list of image references without spaces (a digest reference pins best)';

function readSidecarImages(reader: ConfigReader, injectionImage: string | undefined): string[] {
  const setting = reader.get('registration.sidecarImages');
  const extra: unknown = setting.value ?? [];
  const valid = (image: unknown): image is string => typeof image === 'string' && /^\S+$/.test(image);
  if (!Array.isArray(extra) || !extra.every(valid))
    throw new ConfigError(setting.key, extra, IMAGES_ALLOWED, setting.source);
  return [...new Set([injectionImage ?? DEFAULT_INJECTION_CONFIG.image, ...extra])];
}

/** `injectionImage`: the webhook's, when it runs in this server. */
export function readSecuritySettings(
  reader: ConfigReader,
  injectionImage: string | undefined,
): SecuritySettings {
  return {
    allowSystemWide: readBoolean(reader.get('recording.allowSystemWide'), false),
    sidecarImages: readSidecarImages(reader, injectionImage),
    tokenReview: readTokenReview(reader),
    trustedProxies: readTrustedProxies(reader),
  };
}
