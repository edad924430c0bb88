// The aggregated API's identity: the Kubernetes API server authenticates the user, then calls this
// listener with its front-proxy client certificate and the user in X-Remote-User, X-Remote-Group and
// X-Remote-Extra-* headers. Those headers are believed only on a connection whose client certificate
// verifies against the request-header CA (`requestHeader.clientCaFile`), was issued by it directly, and
// whose common name is one of `requestHeader.allowedNames` when that list is not empty. On every other
// request the headers are removed before any route runs, so a forged X-Remote-User beside a bearer token,
// or alone, counts for nothing. The identity of a vouched request is kept by its headers object, which
// only this hook can put into the map; access.ts asks for it first.
import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import {
  REMOTE_EXTRA_PREFIX,
  REMOTE_GROUP_HEADER,
  REMOTE_USER_HEADER,
} from '../../core/contract/aggregated-api.ts';
import type { Identity } from './identity.ts';

export interface FrontProxy {
  /** PEM of the request-header CA (the cluster's front-proxy CA). */
  ca: string;
  /** Common names the front-proxy certificate may have; empty: any certificate the CA issued. */
  allowedNames: string[];
}

const vouched = new WeakMap<IncomingHttpHeaders, Identity>();

/** The identity the API server vouched for on this request, if it did. */
export function frontProxyIdentityOf(headers: IncomingHttpHeaders): Identity | undefined {
  return vouched.get(headers);
}

function isRemoteHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === REMOTE_USER_HEADER || lower === REMOTE_GROUP_HEADER || lower.startsWith(REMOTE_EXTRA_PREFIX)
  );
}

/** The CA certificates of a PEM bundle. */
export function parseCaBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/** Whether one of the CAs issued the certificate directly (names and signature). */
export function isIssuedByOneOf(certificate: X509Certificate, cas: X509Certificate[]): boolean {
  return cas.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
}

function commonNameOf(certificate: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1];
}

/**
 * Why a peer certificate may not speak for users, or undefined when it may. `chainVerified` is the TLS
 * layer's verdict against every CA the listener accepts; the issuer check pins it to the request-header CA.
 */
export function refuseFrontProxyCertificate(
  peer: X509Certificate | undefined,
  chainVerified: boolean,
  cas: X509Certificate[],
  allowedNames: string[],
): string | undefined {
  if (!peer) return 'no client certificate';
  if (!chainVerified) return 'the client certificate does not verify';
  if (!isIssuedByOneOf(peer, cas)) return 'the client certificate was not issued by the request-header CA';
  const name = commonNameOf(peer) ?? '';
  if (allowedNames.length > 0 && !allowedNames.includes(name))
    return `the client certificate's common name ${name} is not one of requestHeader.allowedNames`;
  return undefined;
}

function values(headers: NodeJS.Dict<string[]>, name: string): string[] {
  return (headers[name] ?? []).map((value) => value.trim()).filter((value) => value !== '');
}

/**
 * The identity in the headers (each header line kept apart, as the API server sends one line per group),
 * or undefined without a user: the aggregator's own availability checks name one, nothing else should lack it.
 */
export function readRemoteIdentity(headers: NodeJS.Dict<string[]>): Identity | undefined {
  const user = values(headers, REMOTE_USER_HEADER)[0];
  if (user === undefined) return undefined;
  const extra: Record<string, string[]> = {};
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(REMOTE_EXTRA_PREFIX)) continue;
    let key: string;
    try {
      key = decodeURIComponent(name.slice(REMOTE_EXTRA_PREFIX.length)).toLowerCase();
    } catch {
      continue;
    }
    extra[key] = [...(extra[key] ?? []), ...values(headers, name)];
  }
  const identity: Identity = { user, groups: values(headers, REMOTE_GROUP_HEADER) };
  if (Object.keys(extra).length > 0) identity.extra = extra;
  return identity;
}

function peerOf(socket: unknown): { peer: X509Certificate | undefined; verified: boolean } {
  const tls = socket as Partial<TLSSocket> | undefined;
  if (typeof tls?.getPeerX509Certificate !== 'function') return { peer: undefined, verified: false };
  return { peer: tls.getPeerX509Certificate(), verified: tls.authorized === true };
}

export function installFrontProxy(app: FastifyInstance, proxy: FrontProxy): void {
  const cas = parseCaBundle(proxy.ca);
  app.addHook('onRequest', (request, _reply, done) => {
    const { peer, verified } = peerOf(request.raw.socket);
    const refusal = refuseFrontProxyCertificate(peer, verified, cas, proxy.allowedNames);
    const identity = refusal === undefined ? readRemoteIdentity(request.raw.headersDistinct) : undefined;
    if (identity) vouched.set(request.headers, identity);
    for (const name of Object.keys(request.headers)) {
      if (isRemoteHeader(name)) delete request.headers[name];
    }
    done();
  });
}
