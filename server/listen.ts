// Listening for main.ts: an app on an address, with one-line errors that name the setting to change,
// and the URL it serves; the client CAs (oauth-proxy, front proxy) read before anything listens; and a
// rotated certificate given to both API listeners.
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import { userTlsExtra, type ProxyTrust, type ServerApps } from './listeners/build-listeners.ts';
import type { ServerConfig } from './config/config.ts';
import type { TlsMaterial } from './webhook/tls.ts';
import { ConfigError } from '../core/config/config-error.ts';
import type { ListenAddress } from './config/listener-config.ts';
import { readConfigText } from './config/load-config.ts';

/** Listens; returns the URL the app serves. `variable` is the environment variable that moves the port. */
export async function listenOn(
  app: FastifyInstance,
  address: ListenAddress,
  variable: string,
  secure: boolean,
): Promise<string> {
  const { host, port } = address;
  try {
    await app.listen({ host, port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new Error(`port ${port} on ${host} is already in use (set ${variable} to another port)`);
    if (code === 'EACCES') throw new Error(`not allowed to listen on ${host}:${port}`);
    throw error;
  }
  const bound = app.server.address();
  const actual = typeof bound === 'object' && bound ? bound.port : port;
  return `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actual}`;
}

/** The PEM that `key` (a client CA setting) names, checked to be certificates Node can verify against. */
export async function readClientCa(path: string, key = 'auth.proxyClientCaFile'): Promise<string> {
  const pem = await readConfigText(path, key, undefined);
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    createSecureContext({ ca: pem });
  } catch (error) {
    throw new ConfigError(key, path, `a file of PEM CA certificates (${(error as Error).message})`);
  }
  return pem;
}

export async function readProxyTrust(config: ServerConfig): Promise<ProxyTrust> {
  const trust: ProxyTrust = {};
  if (config.proxyClientCaFile)
    trust.trustedProxy = {
      ca: await readClientCa(config.proxyClientCaFile),
      identityHeaders: [config.userHeader, config.groupsHeader],
    };
  if (config.requestHeader)
    trust.frontProxy = {
      ca: await readClientCa(config.requestHeader.clientCaFile, 'requestHeader.clientCaFile'),
      allowedNames: config.requestHeader.allowedNames,
    };
  return trust;
}

/** New connections to both API listeners get the rotated certificate (and the user one its client CAs). */
export function reloadListenerTls(apps: ServerApps, material: TlsMaterial, trust: ProxyTrust): void {
  (apps.recorder.server as unknown as TlsServer).setSecureContext(material);
  const clientCas = userTlsExtra(trust);
  const ca = clientCas.ca === undefined ? {} : { ca: clientCas.ca };
  (apps.user.server as unknown as TlsServer).setSecureContext({ ...material, ...ca });
}
