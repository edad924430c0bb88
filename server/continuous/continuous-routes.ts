// The user listener's continuous profiling: switch a selection on or off (`create` on
// recordings/continuous in its namespace, a 403 naming it otherwise), list the selections of namespaces
// the caller may view, and merge the windows of a range into folded stacks (`get` on recordings there).
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
// The subresource whose `create` switches continuous profiling on or off; the admission policy checks
// the same for a continuous Recording's author (core/crd/recording-admission.ts).
import { CONTINUOUS_SUBRESOURCE } from '../../core/crd/recording-admission.ts';
import { strictValidator } from '../../core/contract/strict-validator.ts';
import { foldedPieces, type FoldedStacks } from '../../core/stacks/folded.ts';
import { pprofLabels } from '../../core/export/profile-subject.ts';
import { identityOf, mayIn, type RouteGuard } from '../auth/route-guard.ts';
import { SELECTION_BODY_SCHEMA, type ContinuousSelection } from './continuous-selection.ts';
import type { LeftOutReport, SelectionLeftOut } from './left-out-report.ts';
import { mergeWindows } from './merge-windows.ts';
import type { SelectionStore } from './selection-store.ts';
import type { WindowQuery } from './window-keys.ts';
import type { WindowStore } from './window-store.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

/** The longest range one query merges. */
export const MAX_RANGE_MS = 7 * 24 * 3_600_000;

export interface ContinuousRouteDeps {
  selections: SelectionStore;
  windows: WindowStore;
  settings: { frequency: number };
  now: () => number;
  /** What the node plans left out, for each selection's status. */
  leftOut: Pick<LeftOutReport, 'leftOutOf'>;
}

const NAME = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';
const PARAMS = {
  type: 'object',
  required: ['namespace', 'name'],
  properties: { namespace: { type: 'string', pattern: NAME }, name: { type: 'string', pattern: NAME } },
} as const;
/** What picks a range of windows: the query string of the range query and of the timeline. */
export const RANGE_QUERY_PROPERTIES = {
  namespace: { type: 'string', pattern: NAME },
  from: { type: 'integer', minimum: 0 },
  to: { type: 'integer', minimum: 0 },
  node: { type: 'string', pattern: NAME },
  pod: { type: 'string', pattern: NAME },
  container: { type: 'string', pattern: NAME },
  workload: { type: 'string', maxLength: 320 },
} as const;
const QUERY = {
  type: 'object',
  required: ['namespace', 'from', 'to'],
  properties: { ...RANGE_QUERY_PROPERTIES, format: { type: 'string', enum: ['folded', 'pprof'] } },
  additionalProperties: false,
} as const;

/** A list of selections: each in a namespace the caller may `get`. */
const LIST_GUARD: RouteGuard = { authorize: { verb: 'get', namespace: 'each item' } };

/** A range of windows: `get` in the query's namespace, once the range is known to be valid. */
export const RANGE_GUARD: RouteGuard = { authorize: { verb: 'get', namespace: { query: 'namespace' } } };

/** checkRange of a request's query, as a route's `check`. */
export function checkRangeOf(request: FastifyRequest): void {
  checkRange(request.query as WindowQuery);
}

/** `to` after `from`, at most MAX_RANGE_MS later; a 400 naming `to` otherwise. */
export function checkRange(query: WindowQuery): void {
  if (query.to <= query.from)
    throw new FurnaceError('ERR_INVALID_PARAMETER', `to (${query.to}) must be after from (${query.from})`, {
      field: 'to',
    });
  if (query.to - query.from > MAX_RANGE_MS)
    throw new FurnaceError(
      'ERR_LIMIT_EXCEEDED',
      `the range from ${query.from} to ${query.to} is longer than the limit of ${MAX_RANGE_MS} ms (7 days)`,
      { field: 'to', limit: MAX_RANGE_MS },
    );
}

/** `create` on recordings/continuous in the namespace; the refusal names the role that grants it. */
const SWITCH_GUARD: RouteGuard = {
  authorize: {
    verb: 'create',
    namespace: { param: 'namespace' },
    subresource: CONTINUOUS_SUBRESOURCE,
    hint: 'switching continuous profiling on or off needs this permission beyond recording (ClusterRole furnace-continuous grants it, bound in the namespace)',
  },
};

function registerSelectionRoutes(app: FastifyInstance, deps: ContinuousRouteDeps): void {
  typedRoutes(app).put(
    '/api/v1/continuous/:namespace/:name',
    {
      schema: { params: PARAMS, body: SELECTION_BODY_SCHEMA },
      validatorCompiler: strictValidator,
      config: { guard: SWITCH_GUARD },
    },
    async (request) => {
      const identity = identityOf(request);
      const { namespace, name } = request.params;
      const body = request.body;
      const selection: ContinuousSelection = {
        namespace,
        name,
        selector: body.selector ?? {},
        ...(body.containers ? { containers: body.containers } : {}),
        frequency: body.frequency ?? deps.settings.frequency,
        createdBy: identity.user,
        createdAt: deps.now(),
      };
      await deps.selections.put(selection);
      request.log.info({ namespace, name, user: identity.user }, 'continuous profiling switched on');
      return selection;
    },
  );
  typedRoutes(app).delete(
    '/api/v1/continuous/:namespace/:name',
    { schema: { params: PARAMS }, config: { guard: SWITCH_GUARD } },
    async (request, reply) => {
      const identity = identityOf(request);
      const { namespace, name } = request.params;
      if (!(await deps.selections.remove(namespace, name)))
        throw new FurnaceError('ERR_NOT_FOUND', `no continuous selection ${namespace}/${name}`, {
          namespace,
          name,
        });
      request.log.info({ namespace, name, user: identity.user }, 'continuous profiling switched off');
      return reply.code(204).send();
    },
  );
  app.get('/api/v1/continuous', { config: { guard: LIST_GUARD } }, async (request) => {
    const may = mayIn(request);
    const items: (ContinuousSelection & { status: { leftOut: SelectionLeftOut[] } })[] = [];
    for (const selection of deps.selections.list())
      if (await may(selection.namespace)) {
        // The pods it picks that their node's plan had no room for (left-out-report.ts).
        const leftOut = deps.leftOut.leftOutOf(selection.namespace, selection.name);
        items.push({ ...selection, status: { leftOut } });
      }
    return { items };
  });
}

/**
 * The range's pprof: labels for each name the query fixed, the range as its time. The writer (protobuf and
 * its generated schema) loads at the first such download, not at every server's start.
 */
async function rangePprof(stacks: FoldedStacks, query: WindowQuery, frequency: number): Promise<Buffer> {
  const { foldedToPprof } = await import('../../core/pprof/write-pprof.ts');
  const subject = {
    namespace: query.namespace,
    ...(query.pod ? { pod: query.pod } : {}),
    ...(query.container ? { container: query.container } : {}),
    ...(query.workload ? { service: query.workload.slice(query.workload.indexOf('/') + 1) } : {}),
  };
  const labels = { ...pprofLabels(subject), ...(query.node ? { node: query.node } : {}) };
  return foldedToPprof(stacks, {
    frequency,
    startedAtMs: query.from,
    durationMs: query.to - query.from,
    labels,
  });
}

function registerStacksRoute(app: FastifyInstance, deps: ContinuousRouteDeps): void {
  typedRoutes(app).get(
    '/api/v1/continuous/stacks',
    { schema: { querystring: QUERY }, config: { guard: RANGE_GUARD, check: checkRangeOf } },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const merged = await mergeWindows(deps.windows, query);
      void reply
        .header('x-furnace-windows', String(merged.windows))
        .header('x-furnace-samples', String(merged.samples));
      if (format === 'pprof')
        return reply
          .header('content-type', 'application/octet-stream')
          .header('content-disposition', 'attachment; filename="profile.pb.gz"')
          .send(await rangePprof(merged.stacks, query, deps.settings.frequency));
      void reply.header('content-type', 'text/plain; charset=utf-8');
      return reply.send(Readable.from(foldedPieces(merged.stacks)));
    },
  );
}

export function registerContinuousUserRoutes(app: FastifyInstance, deps: ContinuousRouteDeps): void {
  registerSelectionRoutes(app, deps);
  registerStacksRoute(app, deps);
}
