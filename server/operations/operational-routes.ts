// Health, readiness and metrics. Probes answer anyone (they say only "ok" or "starting"); /metrics
// answers only callers who are authenticated like any user call and may `get` the non-resource URL
// /metrics (SubjectAccessReview, as the API server's own /metrics), or anyone in auth mode `none`.
import type { FastifyInstance } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { RouteGuard } from '../auth/route-guard.ts';

export const METRICS_PATH = '/metrics';

const statusSchema = { type: 'object', properties: { status: { type: 'string' } } } as const;

const PROBE: RouteGuard = { public: 'a probe: says only "ok" or "starting"' };

export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  app.get('/healthz', { schema: { response: { 200: statusSchema } }, config: { guard: PROBE } }, () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { schema: { response: { 200: statusSchema, 503: statusSchema } }, config: { guard: PROBE } },
    (_request, reply) => {
      const ready = isReady();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting' });
    },
  );
}

export function registerMetricsRoute(app: FastifyInstance, deps: { metricsRegistry: MetricsRegistry }): void {
  const guard: RouteGuard = { authorizePath: { verb: 'get', path: METRICS_PATH } };
  app.get(METRICS_PATH, { config: { guard } }, async (_request, reply) => {
    const text = await deps.metricsRegistry.metrics();
    return reply.type(deps.metricsRegistry.contentType).send(text);
  });
}
