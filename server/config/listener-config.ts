// The listeners' part of the configuration: the recorder listener's address, the aggregated API's
// request-header CA, and what auth mode `proxy` needs before the server may start. Pure;
// server/config/config.ts calls it.
import { ConfigError } from '../../core/config/config-error.ts';
import { readInteger, readText, type Setting } from '../../core/config/config-values.ts';
import { RECORDER_PORT } from '../../core/contract/names.ts';
import type { AuthMode } from '../auth/access.ts';
import type { ConfigReader } from './config-reader.ts';

export const LISTENER_ENV = {
  recorderHost: 'FURNACE_RECORDER_HOST',
  recorderPort: 'FURNACE_RECORDER_PORT',
} as const;

export interface ListenAddress {
  host: string;
  port: number;
}

/** Where sidecars register and upload. Local mode: loopback, any free port (the local sidecar is told). */
export function readRecorderListener(reader: ConfigReader, local: boolean): ListenAddress {
  return {
    host: readText(reader.get('recorder.host', LISTENER_ENV.recorderHost), local ? '127.0.0.1' : '0.0.0.0'),
    port: readInteger(
      reader.get('recorder.port', LISTENER_ENV.recorderPort),
      local ? 0 : RECORDER_PORT,
      0,
      65535,
    ),
  };
}

/** The aggregated API (front-proxy.ts): who may vouch for users with X-Remote-* headers. */
export interface RequestHeaderConfig {
  /** PEM file of the request-header CA (`requestheader-client-ca-file` of kube-system/extension-apiserver-authentication). */
  clientCaFile: string;
  /** Common names the front-proxy certificate may have (`requestheader-allowed-names`); empty: any. */
  allowedNames: string[];
}

const NAMES_ALLOWED = 'a list of common names (or one string of names separated by commas)';

function readNames(setting: Setting): string[] {
  const { value } = setting;
  if (value === undefined || value === null || value === '') return [];
  const list: unknown = typeof value === 'string' ? value.split(',').map((name) => name.trim()) : value;
  if (!Array.isArray(list) || !list.every((name) => typeof name === 'string' && name.trim() !== ''))
    throw new ConfigError(setting.key, value, NAMES_ALLOWED, setting.source);
  return list as string[];
}

/** `requestHeader.clientCaFile` and `requestHeader.allowedNames`; undefined without a CA file. */
export function readRequestHeader(reader: ConfigReader): RequestHeaderConfig | undefined {
  const caSetting = reader.get('requestHeader.clientCaFile');
  const clientCaFile = readText(caSetting, '');
  const namesSetting = reader.get('requestHeader.allowedNames');
  const allowedNames = readNames(namesSetting);
  if (!clientCaFile) {
    if (allowedNames.length > 0)
      throw new ConfigError(
        'requestHeader.clientCaFile',
        undefined,
        'the request-header CA file whenever requestHeader.allowedNames is set',
        namesSetting.source,
      );
    return undefined;
  }
  return { clientCaFile, allowedNames };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface AuthBinding {
  local: boolean;
  host: string;
  authMode: AuthMode;
  proxyClientCaFile?: string;
  requestHeader?: RequestHeaderConfig;
}

/** Where each value came from, for the error. */
export interface AuthBindingSources {
  host?: string | undefined;
  authMode?: string | undefined;
  proxyClientCaFile?: string | undefined;
  requestHeader?: string | undefined;
}

/**
 * Refuses combinations that would let someone other than the intended caller act as a user:
 * - `none` off loopback (anyone who reaches the port may do everything);
 * - `kubernetes` or `proxy` in local mode (both run SubjectAccessReview, which needs a cluster);
 * - `proxy` on a reachable address without the oauth-proxy's client CA (anyone could send
 *   X-Forwarded-User), and a client CA in any other mode (it would be ignored);
 * - the aggregated API's request-header CA with auth mode `none` (nobody would check access).
 */
export function checkAuthBinding(config: AuthBinding, sources: AuthBindingSources = {}): void {
  const { host, authMode } = config;
  if (authMode === 'none' && !isLoopback(host))
    throw new ConfigError(
      'host',
      host,
      'a loopback address (127.0.0.1, ::1, localhost) while auth.mode is none',
      sources.host,
    );
  if (config.local && authMode !== 'none')
    throw new ConfigError(
      'auth.mode',
      authMode,
      'none in local mode (kubernetes and proxy check access with SubjectAccessReview, which needs a cluster)',
      sources.authMode,
    );
  if (config.proxyClientCaFile !== undefined && authMode !== 'proxy')
    throw new ConfigError(
      'auth.proxyClientCaFile',
      config.proxyClientCaFile,
      'unset unless auth.mode is proxy',
      sources.proxyClientCaFile,
    );
  if (config.requestHeader !== undefined && authMode === 'none')
    throw new ConfigError(
      'requestHeader.clientCaFile',
      config.requestHeader.clientCaFile,
      'unset while auth.mode is none (the aggregated API checks access with SubjectAccessReview)',
      sources.requestHeader,
    );
  if (authMode === 'proxy' && config.proxyClientCaFile === undefined && !isLoopback(host))
    throw new ConfigError(
      'host',
      host,
      'a loopback address (127.0.0.1, ::1, localhost) while auth.mode is proxy, unless auth.proxyClientCaFile ' +
        "names the CA of the oauth-proxy's client certificate",
      sources.host,
    );
}
