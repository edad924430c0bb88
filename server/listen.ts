// Listening for main.ts: an app on an address, with one-line errors that name the setting to change,
// and the URL it serves; and the oauth-proxy's client CA read before anything listens.
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
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
