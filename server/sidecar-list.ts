// GET /api/v1/sidecars: the registered pods the caller may profile.
import type { FastifyInstance } from 'fastify';
import type { Access } from './auth/access.ts';
import type { Registry } from './registry/lease-registry.ts';

const querySchema = {
  type: 'object',
  properties: { namespace: { type: 'string', minLength: 1, maxLength: 253 } },
  additionalProperties: false,
} as const;

const responseSchema = {
  200: {
    type: 'object',
    required: ['items'],
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['namespace', 'pod', 'registeredAt', 'expiresAt'],
          properties: {
            namespace: { type: 'string' },
            pod: { type: 'string' },
            podUid: { type: 'string' },
            registeredAt: { type: 'string' },
            expiresAt: { type: 'string' },
          },
        },
      },
    },
  },
} as const;

export function registerSidecarListRoute(
  app: FastifyInstance,
  deps: { registry: Registry; access: Access },
): void {
  app.get<{ Querystring: { namespace?: string } }>(
    '/api/v1/sidecars',
    { schema: { querystring: querySchema, response: responseSchema } },
    async (request) => {
      const identity = await deps.access.authenticate(request.headers, request.ip);
      const wanted = request.query.namespace;
      const registrations = deps.registry
        .list()
        .filter((r) => wanted === undefined || r.namespace === wanted);
      const allowed = new Map<string, boolean>();
      for (const namespace of new Set(registrations.map((r) => r.namespace))) {
        allowed.set(namespace, await deps.access.allows(identity, 'get', namespace));
      }
      const items = registrations
        .filter((r) => allowed.get(r.namespace) === true)
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod))
        .map((r) => ({
          namespace: r.namespace,
          pod: r.pod,
          ...(r.podUid ? { podUid: r.podUid } : {}),
          registeredAt: new Date(r.registeredAt).toISOString(),
          expiresAt: new Date(r.expiresAt).toISOString(),
        }));
      return { items };
    },
  );
}
