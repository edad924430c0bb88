// The aggregated API on the user listener (core/contract/aggregated-api.ts has the path table): Fastify's
// rewriteUrl turns an aggregated path into the user-API path before routing, so every aggregated request
// runs the same routes, authorization and audit as a direct one. Here: the rewrite, the discovery
// document the aggregator polls, and the check that a recording read under /namespaces/<ns>/ is in <ns>.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
const NAMESPACED_READS = new Set([
  '/api/v1/recordings/:id',
  '/api/v1/recordings/:id/artifacts/:name',
  '/api/v1/recordings/:id/baseline',
  '/api/v1/recordings/:id/regression',
]);

export function registerAggregatedRoutes(app: FastifyInstance): void {
  // Public like the API server's own discovery: names of resources, nothing of anyone's data.
  app.get(
    AGGREGATED_PREFIX,
    { config: { guard: { public: 'discovery: names of resources, nothing of anyone’s data' } } },
    () => aggregatedDiscovery(),
  );
}

/** The `namespace` query of a request to one of NAMESPACED_READS, or undefined. */
function namespaceQuery(request: FastifyRequest): string | undefined {
  const namespace = (request.query as { namespace?: unknown } | undefined)?.namespace;
  if (typeof namespace !== 'string' || !NAMESPACED_READS.has(request.routeOptions.url ?? ''))
    return undefined;
  return namespace;
}

/** An aggregated read (or pin) of a recording answers only in the recording's own namespace (before the route guard). */
export function checkAggregatedNamespace(app: FastifyInstance, deps: { catalog: Catalog }): void {
  // Read before validation: a route whose query schema does not name `namespace` (the regression's) would
  // have it removed by then.
  const asked = new WeakMap<FastifyRequest, string>();
  app.addHook('preValidation', (request, _reply, done) => {
    const namespace = namespaceQuery(request);
    if (namespace !== undefined) asked.set(request, namespace);
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const namespace = asked.get(request);
    if (namespace === undefined) {
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
