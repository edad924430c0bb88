// Upstream URLs that carry the registration they were made for. The proxy's connector (sidecar-connect.ts)
// sees only an upstream's host name and port; a host name that is a handle of one registration's address
// and pin makes the pin that of the registration the request was routed to. Looking pins up by address
// instead let a stale registration at a reused pod IP decide which key another pod's sidecar must have.
import { createHash } from 'node:crypto';
import type { Registration } from '../registry/lease-registry.ts';
import type { PinnedTarget } from './sidecar-connect.ts';

/** Handles are kept for the most recently used registrations; a forgotten one is made again on use. */
const MAX_HANDLES = 10_000;
const HANDLE_DOMAIN = 'pinned.furnace.invalid';

export interface PinnedUpstreams {
  /** The upstream of a registration: HTTPS through its handle when it registered a key, else plain HTTP. */
  upstreamOf(registration: Pick<Registration, 'address' | 'tls'>): string;
  /** The address and pin a handle stands for. */
  targetOf(hostname: string): PinnedTarget | undefined;
}

export function createPinnedUpstreams(): PinnedUpstreams {
  const targets = new Map<string, PinnedTarget>();
  return {
    upstreamOf({ address, tls }) {
      if (!tls) {
        const host = address.host.includes(':') ? `[${address.host}]` : address.host;
        return `http://${host}:${address.port}`;
      }
      const target = { host: address.host, port: tls.port, pin: tls.pin };
      const digest = createHash('sha256').update(JSON.stringify(target)).digest('hex').slice(0, 40);
      const hostname = `r${digest}.${HANDLE_DOMAIN}`;
      // Most recently used last, so the oldest handle goes first when there are too many.
      targets.delete(hostname);
      targets.set(hostname, target);
      if (targets.size > MAX_HANDLES) targets.delete(targets.keys().next().value ?? '');
      return `https://${hostname}:${tls.port}`;
    },
    targetOf: (hostname) => targets.get(hostname),
  };
}
