// The timeline of continuous profiling on the user listener: samples over time of a selection, bucketed
// per pod or per workload (`get` on recordings in the namespace, as the range query), and the namespaces
// with continuous data the caller may view. A window's samples are counted from its text, one window at
// a time and a few at once, without building its stacks: memory holds the buckets, not the windows.
import type { FastifyInstance } from 'fastify';
import {
  bucketCount,
  bucketOf,
  bucketWidth,
  countFoldedSamples,
  TIMELINE_GROUPINGS,
  type ContinuousNamespacesView,
  type TimelineGrouping,
  type TimelineView,
} from '../../core/continuous/continuous-timeline.ts';
import { mayIn } from '../auth/route-guard.ts';
import { checkRangeOf, RANGE_GUARD, RANGE_QUERY_PROPERTIES } from './continuous-routes.ts';
import { matchingKeys, readAhead } from './merge-windows.ts';
import type { SelectionStore } from './selection-store.ts';
import { parseWindowKey, windowMatches, type WindowMeta, type WindowQuery } from './window-keys.ts';
import type { WindowStore } from './window-store.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

export interface TimelineRouteDeps {
  selections: SelectionStore;
  windows: WindowStore;
}

type TimelineQuery = WindowQuery & { by?: TimelineGrouping };

const QUERY = {
  type: 'object',
  required: ['namespace', 'from', 'to'],
  properties: { ...RANGE_QUERY_PROPERTIES, by: { type: 'string', enum: [...TIMELINE_GROUPINGS] } },
  additionalProperties: false,
} as const;
/** Each window's metadata and samples, read ahead as the range query reads them, in key order. */
async function* windowSamples(
  store: WindowStore,
  keys: readonly string[],
): AsyncGenerator<{ meta: WindowMeta; samples: number }> {
  let index = 0;
  for await (const body of readAhead(store, keys)) {
    const meta = parseWindowKey(keys[index++] ?? '');
    if (body !== undefined && meta) yield { meta, samples: countFoldedSamples(body) };
  }
}

export async function buildTimeline(store: WindowStore, query: TimelineQuery): Promise<TimelineView> {
  const by = query.by ?? 'pod';
  const bucketMs = bucketWidth(query.from, query.to);
  const count = bucketCount(query.from, query.to, bucketMs);
  const series = new Map<string, number[]>();
  const names = { pods: new Set<string>(), workloads: new Set<string>(), containers: new Set<string>() };
  const view: TimelineView = {
    ...{ namespace: query.namespace, from: query.from, to: query.to, bucketMs, by },
    ...{ series: [], windows: 0, samples: 0, pods: [], workloads: [], containers: [] },
  };
  // Every window of the range names its pod, workload and container (from its key, not read), so the
  // pickers offer the namespace's others while one is selected; only the selection's windows are read.
  const selected: string[] = [];
  const whole = { namespace: query.namespace, from: query.from, to: query.to };
  for (const key of await matchingKeys(store, whole)) {
    const meta = parseWindowKey(key);
    if (!meta) continue;
    names.pods.add(meta.pod);
    names.workloads.add(meta.workload);
    names.containers.add(meta.container);
    if (windowMatches(meta, query)) selected.push(key);
  }
  for await (const { meta, samples } of windowSamples(store, selected)) {
    const name = by === 'pod' ? meta.pod : meta.workload;
    const buckets = series.get(name) ?? new Array<number>(count).fill(0);
    series.set(name, buckets);
    const bucket = bucketOf(meta.start, query.from, bucketMs, count);
    buckets[bucket] = (buckets[bucket] ?? 0) + samples;
    view.windows += 1;
    view.samples += samples;
  }
  view.series = [...series]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, samples]) => ({ name, samples, total: samples.reduce((sum, n) => sum + n, 0) }));
  view.pods = [...names.pods].sort();
  view.workloads = [...names.workloads].sort();
  view.containers = [...names.containers].sort();
  return view;
}

/** Namespaces that have windows or selections, each with what it has. */
async function continuousNamespaces(deps: TimelineRouteDeps): Promise<ContinuousNamespacesView['items']> {
  const found = new Map<string, { windows: boolean; selections: number }>();
  for await (const { namespace } of deps.windows.hours())
    found.set(namespace, { windows: true, selections: 0 });
  for (const selection of deps.selections.list()) {
    const item = found.get(selection.namespace) ?? { windows: false, selections: 0 };
    item.selections += 1;
    found.set(selection.namespace, item);
  }
  return [...found].sort(([a], [b]) => (a < b ? -1 : 1)).map(([namespace, item]) => ({ namespace, ...item }));
}

export function registerTimelineRoutes(app: FastifyInstance, deps: TimelineRouteDeps): void {
  typedRoutes(app).get(
    '/api/v1/continuous/timeline',
    { schema: { querystring: QUERY }, config: { guard: RANGE_GUARD, check: checkRangeOf } },
    (request): Promise<TimelineView> => buildTimeline(deps.windows, request.query),
  );
  app.get(
    '/api/v1/continuous/namespaces',
    { config: { guard: { authorize: { verb: 'get', namespace: 'each item' } } } },
    async (request): Promise<ContinuousNamespacesView> => {
      const may = mayIn(request);
      const items: ContinuousNamespacesView['items'] = [];
      for (const item of await continuousNamespaces(deps)) if (await may(item.namespace)) items.push(item);
      return { items };
    },
  );
}
