// What the Continuous page reads: the namespaces with continuous data the caller may view, the timeline
// of a selection, and the merged folded stacks of a range, built into a flame tree as they arrive.
import type {
  ContinuousNamespacesView,
  TimelineGrouping,
  TimelineView,
} from '../../../core/continuous/continuous-timeline.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { getJson, readText } from '../api/client.ts';
import { createTreeBuilder } from '../viewer/build-tree.ts';
import { selectionQuery, type ContinuousParams, type TimeRange } from './continuous-url.ts';

export function loadNamespaces(signal: AbortSignal): Promise<ContinuousNamespacesView> {
  return getJson<ContinuousNamespacesView>('/api/v1/continuous/namespaces', signal);
}

export function loadTimeline(
  params: ContinuousParams,
  range: TimeRange,
  signal: AbortSignal,
  by: TimelineGrouping = 'pod',
): Promise<TimelineView> {
  const query = `${selectionQuery(params, range)}&by=${by}`;
  return getJson<TimelineView>(`/api/v1/continuous/timeline?${query}`, signal);
}

export interface LoadedRange {
  range: TimeRange;
  tree: FlameNode;
}

export async function loadRangeTree(
  params: ContinuousParams,
  range: TimeRange,
  signal: AbortSignal,
): Promise<LoadedRange> {
  const builder = createTreeBuilder();
  performance.mark('furnace-range-requested');
  await readText(
    `/api/v1/continuous/stacks?${selectionQuery(params, range)}`,
    (chunk) => builder.add(chunk),
    signal,
  );
  return { range, tree: builder.finish() };
}
