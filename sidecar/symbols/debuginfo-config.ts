// Where a recorder looks for debug files of stripped binaries: the standard DEBUGINFOD_URLS (as for every
// debuginfod client), and how large a debug file and the recorder's cache of them may be.
import { ConfigError } from '../../core/config/config-error.ts';
import { readInteger } from '../../core/config/config-values.ts';

export const DEBUGINFO_ENV = {
  /** debuginfod servers, separated by spaces, tried in order (the variable every debuginfod client reads). */
  urls: 'DEBUGINFOD_URLS',
  /** Largest debug file fetched, bytes. */
  maxBytes: 'FURNACE_DEBUGINFO_MAX_BYTES',
  /** How long one server may take for one debug file, seconds. */
  timeoutSeconds: 'FURNACE_DEBUGINFO_TIMEOUT_SECONDS',
} as const;

export interface DebugInfoConfig {
  /** Server base URLs without a trailing slash; none means no debuginfod lookups. */
  urls: string[];
  maxBytes: number;
  timeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the debug-info settings; a URL that is not http(s) is refused (ConfigError naming it). */
export function readDebugInfoConfig(env: Env): DebugInfoConfig {
  const urls = (env[DEBUGINFO_ENV.urls] ?? '').split(/\s+/).filter((url) => url !== '');
  for (const url of urls) {
    if (!/^https?:\/\/\S+$/.test(url))
      throw new ConfigError(DEBUGINFO_ENV.urls, url, 'http:// or https:// URLs separated by spaces');
  }
  const setting = (key: string) => ({ key, value: env[key]?.trim() });
  return {
    urls: urls.map((url) => url.replace(/\/+$/, '')),
    maxBytes: readInteger(setting(DEBUGINFO_ENV.maxBytes), 512 * 1024 * 1024, 4096, Number.MAX_SAFE_INTEGER),
    timeoutMs: 1000 * readInteger(setting(DEBUGINFO_ENV.timeoutSeconds), 60, 1, 3600),
  };
}
