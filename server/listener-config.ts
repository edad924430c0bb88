// The listeners' part of the configuration: the recorder listener's address, and what auth mode
// `proxy` needs before the server may start. Pure; server/config.ts calls it.
import { ConfigError } from '../core/config-error.ts';
import { readInteger, readText } from '../core/config-values.ts';
import { RECORDER_PORT } from '../core/names.ts';
import type { AuthMode } from './auth/access.ts';
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

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface AuthBinding {
  local: boolean;
  host: string;
  authMode: AuthMode;
  proxyClientCaFile?: string;
}

/** Where each value came from, for the error. */
export interface AuthBindingSources {
  host?: string | undefined;
  authMode?: string | undefined;
  proxyClientCaFile?: string | undefined;
}

/**
 * Refuses combinations that would let someone other than the intended caller act as a user:
 * - `none` off loopback (anyone who reaches the port may do everything);
 * - `kubernetes` or `proxy` in local mode (both run SubjectAccessReview, which needs a cluster);
 * - `proxy` on a reachable address without the oauth-proxy's client CA (anyone could send
 *   X-Forwarded-User), and a client CA in any other mode (it would be ignored).
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
  if (authMode === 'proxy' && config.proxyClientCaFile === undefined && !isLoopback(host))
    throw new ConfigError(
      'host',
      host,
      'a loopback address (127.0.0.1, ::1, localhost) while auth.mode is proxy, unless auth.proxyClientCaFile ' +
        "names the CA of the oauth-proxy's client certificate",
      sources.host,
    );
}
