// Small reads the UI needs beside the main API: a namespace's recording limits (each field shows its
// limit) and the containers of a registered pod (the Container select).
import type { FastifyInstance } from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import { DEFAULT_PARAMS } from '../../core/contract/recording-params.ts';
import { SIDECAR_CONTAINER_NAME } from '../../core/contract/names.ts';
import type { LimitsView, PodContainersView } from '../../core/contract/ui-contract.ts';
import type { Registry } from '../registry/lease-registry.ts';
import type { AgentRouting } from '../agent/agent-routing.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

export interface UiApiDeps {
  registry: Registry;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  /** The pod as the pod watch last saw it (kubernetes mode); local mode has no containers. */
  cachedPod: (namespace: string, name: string) => V1Pod | undefined;
  /** Agent mode: a pod without a sidecar that an agent can record has containers to pick too. */
  agents?: AgentRouting;
}

const namespaceQuery = {
  type: 'object',
  required: ['namespace'],
  properties: { namespace: { type: 'string', minLength: 1, maxLength: 253 } },
  additionalProperties: false,
} as const;

const podParams = {
  type: 'object',
  required: ['namespace', 'pod'],
  properties: {
    namespace: { type: 'string', minLength: 1, maxLength: 253 },
    pod: { type: 'string', minLength: 1, maxLength: 253 },
  },
} as const;

const integer = { type: 'integer' } as const;
const limitsSchema = {
  type: 'object',
  required: ['namespace', 'limits', 'defaults'],
  properties: {
    namespace: { type: 'string' },
    limits: {
      type: 'object',
      properties: {
        maxDurationSeconds: integer,
        maxFrequency: integer,
        maxConcurrentPerSidecar: integer,
        maxConcurrentPerNamespace: integer,
        maxConcurrentPerCluster: integer,
        maxArtifactBytes: integer,
      },
    },
    defaults: {
      type: 'object',
      properties: { durationSeconds: integer, frequency: integer, symbols: { type: 'string' } },
    },
  },
} as const;

const containersSchema = {
  type: 'object',
  required: ['namespace', 'pod', 'containers'],
  properties: {
    namespace: { type: 'string' },
    pod: { type: 'string' },
    containers: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** The pod's own containers: the injected recorder is not something to profile. */
export function profilableContainers(pod: V1Pod | undefined): string[] {
  return (pod?.spec?.containers ?? []).map((c) => c.name).filter((name) => name !== SIDECAR_CONTAINER_NAME);
}

export function registerUiApiRoutes(app: FastifyInstance, deps: UiApiDeps): void {
  typedRoutes(app).get(
    '/api/v1/limits',
    {
      schema: { querystring: namespaceQuery, response: { 200: limitsSchema } },
      // Limits are settings of the server, the same for everyone who reads them.
      config: { guard: { signedIn: 'the server’s limits of a namespace, no one’s data' } },
    },
    (request) => {
      const { namespace } = request.query;
      const { durationSeconds, frequency, symbols } = DEFAULT_PARAMS;
      const view: LimitsView = {
        namespace,
        limits: { ...deps.limitsFor(namespace) },
        defaults: { durationSeconds, frequency, symbols },
      };
      return view;
    },
  );

  typedRoutes(app).get(
    '/api/v1/pods/:namespace/:pod/containers',
    {
      schema: { params: podParams, response: { 200: containersSchema } },
      config: { guard: { authorize: { verb: 'get', namespace: { param: 'namespace' } } } },
    },
    async (request) => {
      const { namespace, pod } = request.params;
      // A sidecar's pod, else (agent mode) one an agent can record; resolve says why not.
      if (!deps.registry.get(namespace, pod)) {
        if (!deps.agents)
          throw new FurnaceError(
            'ERR_NOT_REGISTERED',
            `no sidecar is registered for pod ${namespace}/${pod}`,
            {
              namespace,
              pod,
            },
          );
        await deps.agents.resolve(namespace, pod, false);
      }
      const view: PodContainersView = {
        namespace,
        pod,
        containers: profilableContainers(deps.cachedPod(namespace, pod)),
      };
      return view;
    },
  );
}
