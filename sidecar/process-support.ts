// What the sidecar and the node agent processes share: timers, recording ids, the log line, the API over
// HTTPS with a throwaway key, and the registration credential.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServingIdentity } from './api/self-signed-certificate.ts';
import type { LoopTimers } from './host/runtime.ts';

export const timers: LoopTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function newRecordingId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function log(message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message, ...fields })}\n`);
}

/**
 * The same API over HTTPS with a fresh key, whose pin registration announces to the server. Undefined
 * when the port cannot be had (another container of the pod holds it): the API then stays on plain
 * HTTP, as before TLS, rather than leaving the pod without its profiler.
 */
export async function listenTls(
  handler: Parameters<typeof createHttpsServer>[1],
  config: { tlsPort: number; host: string },
  identity: ServingIdentity,
): Promise<{ server: HttpsServer; port: number; pin: string } | undefined> {
  const server = createHttpsServer({ key: identity.keyPem, cert: identity.certPem }, handler);
  server.listen(config.tlsPort, config.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    log('cannot serve the API over HTTPS: the server will call it over plain HTTP', {
      tlsPort: config.tlsPort,
      error: (error as Error).message,
    });
    return undefined;
  }
  return { server, port: (server.address() as AddressInfo).port, pin: identity.pin };
}

export function credentialReader(config: {
  tokenPath?: string | undefined;
  registrationSecret?: string | undefined;
}): () => Promise<string> {
  const { tokenPath, registrationSecret } = config;
  if (tokenPath !== undefined) return () => readFile(tokenPath, 'utf8');
  return () => Promise.resolve(registrationSecret ?? '');
}
