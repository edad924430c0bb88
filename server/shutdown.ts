// The server's stop on SIGTERM or SIGINT, in the order that loses nothing: readiness turns off at once
// (so the Service's endpoints and the webhook stop choosing this replica), the leader Lease is released
// (another replica takes the chores over at its next round), requests are still served for
// `shutdown.drainSeconds` while the endpoints catch up, then each listener closes, waiting for its
// requests in flight and cutting what is still open after a grace period, so a stop never outlasts a
// pod's termination grace period.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Catalog } from './catalog/catalog-store.ts';
import type { Leadership } from '../kube/leases/leader-election.ts';
import type { ServerApps } from './build-server-app.ts';
import type { PodWatch } from './kube/pod-watch.ts';
import type { RunningChores } from './leader/chores.ts';
import type { LocalSidecar } from './local-mode.ts';
import type { SinkDeliveryLoop } from './sinks/sink-delivery.ts';
import type { SharedSlots } from './slots/lease-slots.ts';
import type { SharedMode } from './shared-mode.ts';
import type { TlsSource } from './webhook/tls.ts';

/** What main.ts started, each part optional until it started. */
export interface RunningServer {
  apps: ServerApps;
  sidecar?: LocalSidecar;
  podWatch?: PodWatch;
  webhook?: FastifyInstance;
  tls?: TlsSource;
  sinks?: SinkDeliveryLoop;
  leadership?: Leadership;
  chores?: RunningChores;
  /** Shared start slots (several replicas): their renewals stop. */
  slots?: SharedSlots;
  /** Its entry watch (shared entries) ends. */
  catalog?: Catalog;
  /** Shared registrations and sessions (several replicas): their watch ends. */
  shared?: SharedMode;
}

/** Readiness as the probes see it: false from the moment a stop begins. */
export interface Draining {
  on: boolean;
}

/**
 * From the moment a stop begins, every answer asks its client to close the connection, so keep-alive
 * clients (the API server calling the webhook, a balancer's pooled connections) open their next one to a
 * replica that is still ready during the drain, instead of sending a request down a socket this replica
 * closes at its end. Added before the app listens.
 */
export function closeConnectionsWhileDraining(app: FastifyInstance, draining: Draining): void {
  app.addHook('onRequest', (_request, reply, done) => {
    if (draining.on) void reply.header('connection', 'close');
    done();
  });
}

/** How long a listener may wait for its open requests at shutdown before their connections are cut. */
export const SHUTDOWN_GRACE_MS = 5000;

/** Closes the app; connections still open after `graceMs` are cut. */
export async function closeWithin(app: FastifyInstance | undefined, graceMs: number): Promise<void> {
  if (!app) return;
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

export async function stopServer(
  running: RunningServer,
  draining: Draining,
  options: { drainMs: number; graceMs?: number },
): Promise<void> {
  draining.on = true;
  const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS;
  await running.chores?.stop();
  await running.leadership?.stop();
  if (options.drainMs > 0) await sleep(options.drainMs);
  await running.sidecar?.stop();
  await running.podWatch?.stop();
  await running.shared?.stop();
  await closeWithin(running.webhook, graceMs);
  await closeWithin(running.apps.user, graceMs);
  await closeWithin(running.apps.recorder, graceMs);
  await running.slots?.stop();
  await running.sinks?.stop();
  await running.catalog?.close();
  running.tls?.close();
}
