// Auth mode `proxy` with `auth.proxyClientCaFile`: the user listener asks every TLS peer for a client
// certificate, and the identity headers of a request count only when its connection presented one that
// the oauth-proxy's CA signed. Anyone else's X-Forwarded-User is dropped before a route reads it, so
// the request is as anonymous as it really is (401). Probes (/healthz) need no certificate.
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { isIssuedByOneOf, parseCaBundle } from './front-proxy.ts';

export interface TrustedProxy {
  /** PEM of the CA that signs the oauth-proxy's client certificate. */
  ca: string;
  /** The header names the oauth-proxy sets (auth.userHeader, auth.groupsHeader). */
  identityHeaders: string[];
}

/** HTTPS server options that ask for a client certificate without refusing connections that have none. */
export function clientCertificateOptions(proxy: TrustedProxy): {
  ca: string;
  requestCert: true;
  rejectUnauthorized: false;
} {
  return { ca: proxy.ca, requestCert: true, rejectUnauthorized: false };
}

/** Whether the request's connection presented a client certificate that the configured CA verified. */
export function hasVerifiedClientCertificate(socket: unknown): boolean {
  return (socket as Partial<TLSSocket> | undefined)?.authorized === true;
}

export function installTrustedProxy(app: FastifyInstance, proxy: TrustedProxy): void {
  const names = proxy.identityHeaders.map((name) => name.toLowerCase());
  const cas = parseCaBundle(proxy.ca);
  app.addHook('onRequest', (request, _reply, done) => {
    // The listener may accept the API server's front-proxy CA too: the certificate must be the oauth-proxy's.
    const socket = request.raw.socket as Partial<TLSSocket>;
    const peer = hasVerifiedClientCertificate(socket) ? socket.getPeerX509Certificate?.() : undefined;
    if (!peer || !isIssuedByOneOf(peer, cas)) {
      for (const name of names) delete request.headers[name];
    }
    done();
  });
}
