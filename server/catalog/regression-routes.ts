// GET /api/v1/recordings/:id/regression: the recording compared with the recording of its workload before
// it and with the workload's pinned baseline (core/compare; docs/regressions.md), or with `?against=<id>`.
// Each recording named is read under the rule of a single read: one the caller may not `get` answers like
// one that does not exist. Finished recordings do not change, so answers are kept (the newest 256); one
// comparison runs at a time.
import type { FastifyInstance } from 'fastify';
import {
  compareFoldedText,
  type ProfileComparison,
  type RegressionAnswer,
} from '../../core/compare/regression.ts';
import { FurnaceError } from '../../core/contract/errors.ts';
import { profileOf } from '../../core/contract/profile-types.ts';
import { RECORDING_ID_PATTERN, type CatalogEntry } from '../../core/contract/recording.ts';
import type { RouteGuard } from '../auth/route-guard.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';
import type { Catalog } from './catalog-store.ts';
import { MAX_MERGED_BYTES, readFolded, sizedEntries } from './merged-artifacts.ts';
import { regressionAnswerSchema } from './regression-schema.ts';
import type { WorkloadNaming } from './workload-naming.ts';

const CACHED = 256;

const regressionParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: RECORDING_ID_PATTERN } },
} as const;

const regressionQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { against: { type: 'string', pattern: RECORDING_ID_PATTERN } },
} as const;

const READ_GUARD: RouteGuard = { authorize: { verb: 'get', namespace: { recordingsIn: 'params' } } };

export function registerRegressionRoutes(
  app: FastifyInstance,
  catalog: Catalog,
  workloads: WorkloadNaming,
): void {
  const cache = new Map<string, ProfileComparison>();
  let queue: Promise<unknown> = Promise.resolve();
  const compare: Compare = async (before, after) => {
    const key = `${before.id}\n${after.id}`;
    const kept = cache.get(key);
    if (kept) return kept;
    const [b, a] = sizedEntries(MAX_MERGED_BYTES, [before, after]) as [CatalogEntry, CatalogEntry];
    // One comparison at a time: each is seconds of CPU for large profiles, and History asks for many.
    const run = queue.then(async () =>
      compareFoldedText(await readFolded(catalog, b), await readFolded(catalog, a)),
    );
    queue = run.catch(() => undefined);
    const result = await run;
    cache.set(key, result);
    if (cache.size > CACHED) cache.delete(cache.keys().next().value as string);
    return result;
  };
  typedRoutes(app).get(
    '/api/v1/recordings/:id/regression',
    {
      schema: {
        params: regressionParams,
        querystring: regressionQuery,
        response: { 200: regressionAnswerSchema },
      },
      config: { guard: READ_GUARD },
    },
    async (request) =>
      answerRegression({ catalog, compare, workloads }, request.params.id, request.query.against),
  );
}

type Compare = (before: CatalogEntry, after: CatalogEntry) => Promise<ProfileComparison>;

interface Answering {
  catalog: Catalog;
  compare: Compare;
  workloads: WorkloadNaming;
}

async function answerRegression(
  { catalog, compare, workloads }: Answering,
  id: string,
  against: string | undefined,
): Promise<RegressionAnswer> {
  const entry = catalog.get(id);
  if (!entry) throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} is not in the catalog`, { id });
  const answer: RegressionAnswer = { id: entry.id, comparisons: [] };
  if (entry.state !== 'done') return answer;
  if (against !== undefined) {
    const other = chosen(catalog, entry, against);
    answer.comparisons.push({ kind: 'chosen', against, ...(await compare(other, entry)) });
    return answer;
  }
  const { workload, baseline, previous } = workloads.recordingsOf(
    entry,
    catalog.entries({ namespace: entry.namespace }),
  );
  if (workload !== undefined) answer.workload = workload;
  if (previous)
    answer.comparisons.push({ kind: 'previous', against: previous.id, ...(await compare(previous, entry)) });
  if (baseline && baseline.id !== previous?.id)
    answer.comparisons.push({ kind: 'baseline', against: baseline.id, ...(await compare(baseline, entry)) });
  return answer;
}

/** The recording `against` names: in the same namespace (the guard checked the path's) and of one profile type. */
function chosen(catalog: Catalog, entry: CatalogEntry, against: string): CatalogEntry {
  const other = catalog.get(against);
  if (other?.namespace !== entry.namespace)
    throw new FurnaceError('ERR_NOT_FOUND', `recording ${against} is not in the catalog`, { id: against });
  if (profileOf(other.params) !== profileOf(entry.params))
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `against ${against} is a ${profileOf(other.params)} profile and ${entry.id} a ${profileOf(entry.params)} one: only profiles of one type compare`,
      { field: 'against', value: against },
    );
  return other;
}
