// PUT and DELETE /api/v1/recordings/:id/baseline: pin a finished recording as the baseline of a workload
// (`{"workload": "deployment/web"}`; in local mode `{}`, the program it recorded), which later recordings
// of that workload are compared with; one baseline per workload and namespace, so pinning another unpins
// the one before. The entry's `baselineOf` says it (docs/regressions.md). Pinning needs `create` on
// recordings in the recording's namespace.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { RECORDING_ID_PATTERN, type CatalogEntry } from '../../core/contract/recording.ts';
import { writeAudit } from '../operations/audit.ts';
import { identityOf, type RouteGuard } from '../auth/route-guard.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';
import type { Catalog } from './catalog-store.ts';
import { catalogEntrySchema } from './catalog-schemas.ts';
import { MAX_BASELINE_KEY } from '../../core/compare/baseline-workload.ts';
import type { WorkloadNaming } from './workload-naming.ts';

function catalogued(catalog: Catalog, id: string): CatalogEntry {
  const entry = catalog.get(id);
  if (entry) return entry;
  throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} is not in the catalog`, { id });
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: RECORDING_ID_PATTERN } },
} as const;

const pinBody = {
  type: 'object',
  additionalProperties: false,
  // Its shape is the mode's (workload-naming.ts): `<kind>/<name>` in a cluster, a program's key in local mode.
  properties: { workload: { type: 'string', minLength: 1, maxLength: MAX_BASELINE_KEY } },
} as const;

const PIN_GUARD: RouteGuard = {
  authorize: {
    verb: 'create',
    namespace: { recordingsIn: 'params' },
    hint: 'pinning a baseline needs the permission to record in the namespace (ClusterRole furnace-recorder)',
  },
};

export function registerBaselineRoutes(
  app: FastifyInstance,
  catalog: Catalog,
  workloads: WorkloadNaming,
): void {
  typedRoutes(app).put(
    '/api/v1/recordings/:id/baseline',
    {
      schema: { params: idParams, body: pinBody, response: { 200: catalogEntrySchema } },
      config: { guard: PIN_GUARD },
    },
    async (request) => {
      const entry = catalogued(catalog, request.params.id);
      if (entry.state !== 'done')
        throw new FurnaceError(
          'ERR_INVALID_PARAMETER',
          `recording ${entry.id} is ${entry.state}: only a finished recording (state done) can be a baseline`,
          { field: 'id', value: entry.id, state: entry.state },
        );
      const workload = workloads.pinKey(entry, request.body.workload);
      for (const other of catalog.entries({ namespace: entry.namespace }))
        if (other.id !== entry.id && other.baselineOf === workload)
          await catalog.setBaselineOf(other.id, undefined);
      await catalog.setBaselineOf(entry.id, workload);
      audit(request, 'pin-baseline', entry, workload);
      return catalogued(catalog, entry.id);
    },
  );
  typedRoutes(app).delete(
    '/api/v1/recordings/:id/baseline',
    { schema: { params: idParams, response: { 204: { type: 'null' } } }, config: { guard: PIN_GUARD } },
    async (request, reply) => {
      const entry = catalogued(catalog, request.params.id);
      if (entry.baselineOf !== undefined) await catalog.setBaselineOf(entry.id, undefined);
      audit(request, 'unpin-baseline', entry, entry.baselineOf);
      return reply.code(204).send();
    },
  );
}

function audit(
  request: FastifyRequest,
  action: 'pin-baseline' | 'unpin-baseline',
  entry: CatalogEntry,
  workload: string | undefined,
): void {
  writeAudit(request.log, {
    action,
    identity: identityOf(request),
    namespace: entry.namespace,
    pod: entry.pod,
    recording: entry.id,
    ...(workload !== undefined ? { workload } : {}),
  });
}
