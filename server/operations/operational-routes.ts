// Health, readiness and metrics. Probes answer anyone (they say only "ok" or "starting"); /metrics
// answers only callers who are authenticated like any user call and may `get` the non-resource URL
// /metrics (SubjectAccessReview, as the API server's own /metrics), or anyone in auth mode `none`.
import type { FastifyInstance } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { Access } from '../auth/access.ts';
import { identityOf } from '../auth/identify-requests.ts';

export const METRICS_PATH = '/metrics';

const statusSchema = { type: 'object', properties: { status: { type: 'string' } } } as const;

export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  app.get('/healthz', { schema: { response: { 200: statusSchema } } }, () => ({ status: 'ok' }));
  app.get(
    '/readyz',
    { schema: { response: { 200: statusSchema, 503: statusSchema } } },
    (_request, reply) => {
      const ready = isReady();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting' });
    },
  );
}

export function registerMetricsRoute(
  app: FastifyInstance,
  deps: { access: Access; metricsRegistry: MetricsRegistry },
): void {
  app.get(METRICS_PATH, async (request, reply) => {
    const identity = identityOf(request);
    if (!(await deps.access.allowsPath(identity, 'get', METRICS_PATH)))
      throw new FurnaceError('ERR_FORBIDDEN', `${identity.user} may not get ${METRICS_PATH}`, {
        verb: 'get',
        path: METRICS_PATH,
      });
    const text = await deps.metricsRegistry.metrics();
    return reply.type(deps.metricsRegistry.contentType).send(text);
  });
}
