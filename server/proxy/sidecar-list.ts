// GET /api/v1/sidecars: the pods the caller may profile, with how: `sidecar` (a registered sidecar) or
// `agent` (a running pod of an opted-in namespace on a node whose agent is registered).
import type { FastifyInstance } from 'fastify';
import { typedRoutes } from '../listeners/typed-routes.ts';
import type { AgentRouting } from '../agent/agent-routing.ts';
import { registrationKey, type Registry } from '../registry/lease-registry.ts';
import { mayIn, type RouteGuard } from '../auth/route-guard.ts';

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
          required: ['namespace', 'pod', 'mode', 'registeredAt', 'expiresAt'],
          properties: {
            namespace: { type: 'string' },
            pod: { type: 'string' },
            podUid: { type: 'string' },
            mode: { type: 'string', enum: ['sidecar', 'agent'] },
            node: { type: 'string' },
            registeredAt: { type: 'string' },
            expiresAt: { type: 'string' },
          },
        },
      },
    },
  },
} as const;

interface Entry {
  namespace: string;
  pod: string;
  podUid?: string;
  mode: 'sidecar' | 'agent';
  node?: string;
  /** The recorder's registration: the sidecar's, or the agent's of the pod's node. */
  registeredAt: number;
  expiresAt: number;
}

/** Sidecars first; an agent entry only for a pod without a live sidecar. */
async function entriesOf(registry: Registry, agents: AgentRouting | undefined): Promise<Entry[]> {
  const entries: Entry[] = registry.list().map((r) => ({
    namespace: r.namespace,
    pod: r.pod,
    ...(r.podUid ? { podUid: r.podUid } : {}),
    mode: 'sidecar',
    registeredAt: r.registeredAt,
    expiresAt: r.expiresAt,
  }));
  const withSidecar = new Set(entries.map((e) => registrationKey(e.namespace, e.pod)));
  for (const p of (await agents?.listPods()) ?? []) {
    if (withSidecar.has(registrationKey(p.namespace, p.pod))) continue;
    const { registeredAt, expiresAt } = p.agent;
    entries.push({
      namespace: p.namespace,
      pod: p.pod,
      podUid: p.podUid,
      mode: 'agent',
      node: p.node,
      registeredAt,
      expiresAt,
    });
  }
  return entries;
}

/** Every registered pod's namespace is checked: the list holds only those the caller may `get`. */
const LIST_GUARD: RouteGuard = { authorize: { verb: 'get', namespace: 'each item' } };

export function registerSidecarListRoute(
  app: FastifyInstance,
  deps: { registry: Registry; agents?: AgentRouting },
): void {
  typedRoutes(app).get(
    '/api/v1/sidecars',
    { schema: { querystring: querySchema, response: responseSchema }, config: { guard: LIST_GUARD } },
    async (request) => {
      const may = mayIn(request);
      const wanted = request.query.namespace;
      const entries = (await entriesOf(deps.registry, deps.agents)).filter(
        (e) => wanted === undefined || e.namespace === wanted,
      );
      const allowed = new Map<string, boolean>();
      for (const namespace of new Set(entries.map((e) => e.namespace))) {
        allowed.set(namespace, await may(namespace));
      }
      const items = entries
        .filter((e) => allowed.get(e.namespace) === true)
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod))
        .map((e) => ({
          ...e,
          registeredAt: new Date(e.registeredAt).toISOString(),
          expiresAt: new Date(e.expiresAt).toISOString(),
        }));
      return { items };
    },
  );
}
