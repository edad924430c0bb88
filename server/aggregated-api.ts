// The aggregated API on the user listener (core/contract/aggregated-api.ts has the path table): Fastify's
// rewriteUrl turns an aggregated path into the user-API path before routing, so every aggregated request
// runs the same routes, authorization and audit as a direct one. Here: the rewrite, the discovery
// document the aggregator polls, and the check that a recording read under /namespaces/<ns>/ is in <ns>.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import {
  AGGREGATED_PREFIX,
  aggregatedDiscovery,
  fromAggregatedUrl,
} from '../core/contract/aggregated-api.ts';
import { FurnaceError } from '../core/contract/errors.ts';
import type { Catalog } from './catalog/catalog-store.ts';

/** For Fastify's `rewriteUrl`: aggregated paths to user-API paths, everything else unchanged. */
export function rewriteAggregatedUrl(request: IncomingMessage): string {
  const url = request.url ?? '/';
  return fromAggregatedUrl(url) ?? url;
}

/** Catalog routes whose `namespace` query (set by the rewrite from the path) must match the entry. */
const NAMESPACED_READS = new Set(['/api/v1/recordings/:id', '/api/v1/recordings/:id/artifacts/:name']);

export function registerAggregatedRoutes(app: FastifyInstance): void {
  // Public like the API server's own discovery: names of resources, nothing of anyone's data.
  app.get(
    AGGREGATED_PREFIX,
    { config: { guard: { public: 'discovery: names of resources, nothing of anyone’s data' } } },
    () => aggregatedDiscovery(),
  );
}

/** An aggregated read of a recording answers only in the recording's own namespace (before the route guard). */
export function checkAggregatedNamespace(app: FastifyInstance, deps: { catalog: Catalog }): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const query = request.query as { namespace?: unknown } | undefined;
    const namespace = query?.namespace;
    if (typeof namespace !== 'string' || !NAMESPACED_READS.has(request.routeOptions.url ?? '')) {
      done();
      return;
    }
    const { id } = request.params as { id: string };
    // The same answer as a recording that does not exist, whoever asks.
    if (deps.catalog.get(id)?.namespace !== namespace)
      done(new FurnaceError('ERR_NOT_FOUND', `recording ${id} is not in the catalog`, { id }));
    else done();
  });
}
