// The injection config's keys for symbols of stripped binaries and of images: debuginfod servers, and the
// private registries whose CA the sidecar's podman trusts. The patterns are the Furnace CRD's too, so the
// API server and the webhook's config loader refuse alike.
import { ConfigError } from '../config/config-error.ts';
import { isHttpUrl } from '../config/config-values.ts';

/** The variable every debuginfod client reads (the sidecar's too): server URLs separated by spaces. */
export const DEBUGINFOD_URLS_ENV = 'DEBUGINFOD_URLS';
export const MAX_DEBUGINFOD_URLS = 16;
/** http or https, a host, and no whitespace (the variable separates URLs by spaces). */
export const DEBUGINFOD_URL_PATTERN = '^https?://[^\\s/?#]+[^\\s]*$';
const DEBUGINFOD_URL = new RegExp(DEBUGINFOD_URL_PATTERN);

export const MAX_REGISTRY_CAS = 16;
/** A registry as podman names its certs.d directory: a DNS name or IPv4 address, and a port. */
export const REGISTRY_PATTERN = '^[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?(:[0-9]{1,5})?$';
const REGISTRY = new RegExp(REGISTRY_PATTERN);
/** Where podman looks for `<registry>/ca.crt` (containers-certs.d(5)). */
export const REGISTRY_CERTS_DIR = '/etc/containers/certs.d';

/**
 * The ConfigMap key of a registry's CA: ConfigMap keys allow no `:`, and no registry name has a `_`, so
 * `registry.example:5000` becomes `registry-ca.registry.example_5000.crt` and no two registries share one.
 */
export function registryCaKey(registry: string): string {
  return `registry-ca.${registry.replace(':', '_')}.crt`;
}

function list(key: string, value: unknown, max: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length > max)
    throw new ConfigError(key, value, `a list of at most ${max} ${what}`);
  return value as unknown[];
}

export function pickDebuginfodUrls(value: unknown, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  const what = 'http:// or https:// URLs without spaces';
  return list('debuginfodUrls', value, MAX_DEBUGINFOD_URLS, what).map((url, i) => {
    if (typeof url !== 'string' || !DEBUGINFOD_URL.test(url) || !isHttpUrl(url))
      throw new ConfigError(`debuginfodUrls[${i}]`, url, 'an http:// or https:// URL without spaces');
    return url;
  });
}

export function pickRegistryCas(value: unknown, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  const what = 'registries (host or host:port)';
  const registries = list('registryCas', value, MAX_REGISTRY_CAS, what).map((registry, i) => {
    if (typeof registry !== 'string' || !REGISTRY.test(registry))
      throw new ConfigError(
        `registryCas[${i}]`,
        registry,
        'a registry as host or host:port (e.g. registry.example.com:5000), without a scheme or path',
      );
    return registry;
  });
  const twice = registries.find((registry, i) => registries.indexOf(registry) !== i);
  if (twice !== undefined)
    throw new ConfigError('registryCas', value, `each registry once (${twice} is twice)`);
  return registries;
}
