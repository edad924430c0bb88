// @kubernetes/client-node builds a new connection pool for every request: 1.x a new https.Agent
// (createAgent), 2.x a new undici Agent (createDispatcher). Every TokenReview, SubjectAccessReview, Pod
// read and shared-Lease write then pays a fresh TLS handshake and a new secure context; with thousands
// of sidecars that handshake dominates the server's CPU (a CPU profile of 2,000 registrations through
// two replicas showed undici connects and createSecureContext on top). This gives one KubeConfig
// instance a shared keep-alive pool per API server and TLS identity, for either version.
//
// The https pool (createAgent, which client-node 2.x uses only for applyToHTTPSOptions: the server's own
// requests through kube/kube-request.ts, i.e. reviews, shared-Lease reads and writes, and paced watches)
// keeps at most API_SERVER_SOCKETS connections; more requests wait in its queue. Without a cap, two
// replicas overloaded at a load of 17–19 opened 1,050–1,180 connections each to a slow API server within
// 40 s (`ss -tnp`, 65 before), their anonymous memory grew 132 → 236 MB (~100 kB of TLS state a
// connection) and the kernel killed both at the 256 MiB limit with their heaps at 60–65 MiB. (The pools
// once had no cap for client-node 1.x's node-fetch, which reported a false "Premature close" for a request
// that waited in the agent's queue, node-fetch issue 1767; 2.x reads through undici, whose own pool,
// createDispatcher, is still uncapped.)
import { createHash } from 'node:crypto';
import { Agent, type AgentOptions, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type Factory = (cluster: unknown, options: AgentOptions) => unknown;

/** A TLS option (a string, a Buffer, a list of them, or key objects) as text to hash. */
function textOf(part: unknown): string {
  if (part === undefined || part === null) return '';
  if (typeof part === 'string') return part;
  if (Buffer.isBuffer(part)) return part.toString('base64');
  if (Array.isArray(part)) return part.map(textOf).join('\n');
  return JSON.stringify(part) ?? '';
}

/** The TLS identity a pool is made for: the CA, the client certificate and key, and the checks. */
function hashIdentity(server: string, options: AgentOptions): string {
  const hash = createHash('sha256').update(server);
  for (const part of [options.ca, options.cert, options.key, options.pfx, options.passphrase])
    hash.update(`\n${textOf(part)}`);
  hash.update(`\n${String(options.rejectUnauthorized)}\n${options.servername ?? ''}`);
  return hash.digest('hex');
}

const IDENTITY_PARTS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'rejectUnauthorized',
  'servername',
] as const;

/** Equal as hashIdentity reads them, without making text of them (Buffers compared in place). */
function samePart(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => samePart(item, b[i]));
  return false;
}

/**
 * hashIdentity, remembering the last identity: client-node hands every request fresh Buffers of the same
 * CA, certificate and key, and hashing their text took ~4.5 kB of garbage per request to the API server.
 */
function identityKeys(): (server: string, options: AgentOptions) => string {
  let last: { server: string; options: AgentOptions; key: string } | undefined;
  return (server, options) => {
    if (
      last?.server === server &&
      IDENTITY_PARTS.every((part) => samePart(last?.options[part], options[part]))
    )
      return last.key;
    last = { server, options: { ...options }, key: hashIdentity(server, options) };
    return last.key;
  };
}

/** Replaces kc's factory `name` by one that hands out one pool per identity (plain HTTP and proxies keep theirs). */
function shareFactory(kc: KubeConfig, name: 'createAgent' | 'createDispatcher', make?: Factory): void {
  const target = kc as unknown as Record<string, Factory | undefined>;
  const original = target[name]?.bind(kc);
  if (!original) return;
  const pools = new Map<string, unknown>();
  const identityKey = identityKeys();
  target[name] = (cluster, options) => {
    const server = (cluster as { server?: string; proxyUrl?: string } | undefined) ?? {};
    if (server.proxyUrl || !server.server?.startsWith('https:')) return original(cluster, options);
    const key = identityKey(server.server, options);
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = make ? make(cluster, options) : original(cluster, options);
      pools.set(key, pool);
    }
    return pool;
  };
}

/** What Node's https and http agents name a pool's sockets by, besides the CA, certificate, key and pfx (Node 24). */
const NAMED_BY = [
  'host',
  'port',
  'localAddress',
  'family',
  'socketPath',
  'clientCertEngine',
  'ciphers',
  'passphrase',
  'rejectUnauthorized',
  'servername',
  'minVersion',
  'maxVersion',
  'secureProtocol',
  'crl',
  'honorCipherOrder',
  'ecdhCurve',
  'dhparam',
  'secureOptions',
  'sessionIdContext',
  'sigalgs',
  'privateKeyIdentifier',
  'privateKeyEngine',
] as const satisfies readonly (keyof RequestOptions)[];

/**
 * A pool for one TLS identity. Node names a pool's sockets by the request's options, the CA, client
 * certificate and key included: each request through client-node carries them as fresh Buffers, so every
 * request turned some kB of PEM into a string and looked its sockets up by that string (4 to 10 % of a
 * replica's main thread in bench:registry, where the reviews and Lease writes are ~120 requests a second).
 * This pool is handed out for one identity only (shareFactory), so its names leave them out; a new socket
 * still takes them from the pool's own options.
 */
class IdentityPool extends Agent {
  #last: { options: RequestOptions; name: string } | undefined;

  /**
   * The name of the last options whose other fields (the ones Node names sockets by) are the same is the
   * same: Node asks for it three times a request (queueing, freeing, removing a socket), and each new name
   * with its copy of the options was ~5 kB of garbage.
   */
  override getName(options?: RequestOptions): string {
    // A request's own checkServerIdentity gets sockets of its own (Node numbers it into the name).
    const plain = options !== undefined && options.checkServerIdentity === undefined;
    const last = this.#last;
    if (plain && last && NAMED_BY.every((field) => last.options[field] === options[field])) return last.name;
    const named = { ...options, ca: undefined, cert: undefined, key: undefined, pfx: undefined };
    const name = super.getName(named);
    if (plain) this.#last = { options: named, name };
    return name;
  }
}

/** Connections of the https pool to one API server; the review turns (32) and writes behind (8) fit in it. */
export const API_SERVER_SOCKETS = 64;

export function reuseConnections(kc: KubeConfig): KubeConfig {
  shareFactory(
    kc,
    'createAgent',
    (_cluster, options) => new IdentityPool({ ...options, keepAlive: true, maxSockets: API_SERVER_SOCKETS }),
  );
  // 2.x's own dispatcher keeps connections alive already (30 s probes); it only needs to be made once.
  shareFactory(kc, 'createDispatcher');
  return kc;
}
