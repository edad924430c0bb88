// The listeners' part of the server's stop on SIGTERM or SIGINT (the order is modules/run-modules.ts's:
// readiness off at once, so the Service's endpoints and the webhook stop choosing this replica; the
// leader Lease released; requests still served for `shutdown.drainSeconds`; then the modules in reverse):
// while draining, answers ask their clients to close the connection, and each listener closes waiting
// for its requests in flight, cutting what is still open after a grace period, so a stop never outlasts a
// pod's termination grace period.
import type { FastifyInstance } from 'fastify';

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
