// @kubernetes/client-node builds a new connection pool for every request: 1.x a new https.Agent
// (createAgent), 2.x a new undici Agent (createDispatcher). Every TokenReview, SubjectAccessReview, Pod
// read and shared-Lease write then pays a fresh TLS handshake and a new secure context; with thousands
// of sidecars that handshake dominates the server's CPU (a CPU profile of 2,000 registrations through
// two replicas showed undici connects and createSecureContext on top). This gives one KubeConfig
// instance a shared keep-alive pool per API server and TLS identity, for either version.
//
// The pools have no connection cap: client-node 1.x read bodies through node-fetch, which reports a
// false "Premature close" when a request waits in the agent's queue for a kept-alive socket (node-fetch
// issue 1767); with a cap, thousands of sidecars registering at once made most registrations fail that
// way. Without one, a request takes an idle connection or opens a new one and never queues.
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
function identityKey(server: string, options: AgentOptions): string {
  const hash = createHash('sha256').update(server);
  for (const part of [options.ca, options.cert, options.key, options.pfx, options.passphrase])
    hash.update(`\n${textOf(part)}`);
  hash.update(`\n${String(options.rejectUnauthorized)}\n${options.servername ?? ''}`);
  return hash.digest('hex');
}

/** Replaces kc's factory `name` by one that hands out one pool per identity (plain HTTP and proxies keep theirs). */
function shareFactory(kc: KubeConfig, name: 'createAgent' | 'createDispatcher', make?: Factory): void {
  const target = kc as unknown as Record<string, Factory | undefined>;
  const original = target[name]?.bind(kc);
  if (!original) return;
  const pools = new Map<string, unknown>();
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

/**
 * A pool for one TLS identity. Node names a pool's sockets by the request's options, the CA, client
 * certificate and key included: each request through client-node carries them as fresh Buffers, so every
 * request turned some kB of PEM into a string and looked its sockets up by that string (4 to 10 % of a
 * replica's main thread in bench:registry, where the reviews and Lease writes are ~120 requests a second).
 * This pool is handed out for one identity only (shareFactory), so its names leave them out; a new socket
 * still takes them from the pool's own options.
 */
class IdentityPool extends Agent {
  override getName(options?: RequestOptions): string {
    return super.getName({ ...options, ca: undefined, cert: undefined, key: undefined, pfx: undefined });
  }
}

export function reuseConnections(kc: KubeConfig): KubeConfig {
  shareFactory(
    kc,
    'createAgent',
    (_cluster, options) => new IdentityPool({ ...options, keepAlive: true, maxSockets: Infinity }),
  );
  // 2.x's own dispatcher keeps connections alive already (30 s probes); it only needs to be made once.
  shareFactory(kc, 'createDispatcher');
  return kc;
}
