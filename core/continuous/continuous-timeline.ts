// The timeline of continuous profiling: samples over time of a selection, in buckets whose width is
// chosen from the range (at most MAX_TIMELINE_BUCKETS of them), one series per pod or per workload. The
// server fills it window by window (server/continuous/timeline-route.ts); the UI draws and brushes it.
// Pure: the contract (query and answer) and the arithmetic of buckets.

/** `GET /api/v1/continuous/timeline`'s answer. */
export interface TimelineView {
  namespace: string;
  from: number;
  to: number;
  /** Width of one bucket in ms; bucket i covers [from + i·bucketMs, from + (i+1)·bucketMs). */
  bucketMs: number;
  /** How the series are split. */
  by: TimelineGrouping;
  /** One per pod or workload, by name; `samples[i]` is bucket i's. */
  series: TimelineSeries[];
  /** Windows read and their samples (exactly the sum of every series). */
  windows: number;
  samples: number;
  /** The names of every window of the namespace in the range, whatever the filters, for pickers (sorted). */
  pods: string[];
  workloads: string[];
  containers: string[];
}

export interface TimelineSeries {
  name: string;
  samples: number[];
  total: number;
}

export const TIMELINE_GROUPINGS = ['pod', 'workload'] as const;
export type TimelineGrouping = (typeof TIMELINE_GROUPINGS)[number];

/** `GET /api/v1/continuous/namespaces`' answer: namespaces with windows or selections the caller may view. */
export interface ContinuousNamespacesView {
  items: { namespace: string; windows: boolean; selections: number }[];
}

export const MAX_TIMELINE_BUCKETS = 240;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Widths a bucket may have, narrowest first: round figures a reader recognises on an axis. */
const WIDTHS = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

/** The narrowest round width that cuts [from, to) into at most MAX_TIMELINE_BUCKETS buckets. */
export function bucketWidth(from: number, to: number): number {
  const span = Math.max(1, to - from);
  for (const width of WIDTHS) if (Math.ceil(span / width) <= MAX_TIMELINE_BUCKETS) return width;
  return Math.ceil(span / MAX_TIMELINE_BUCKETS);
}

export function bucketCount(from: number, to: number, width: number): number {
  return Math.max(1, Math.ceil((to - from) / width));
}

/** The bucket of a window: where its start lies, clamped into the range (a window may start before it). */
export function bucketOf(start: number, from: number, width: number, count: number): number {
  return Math.min(count - 1, Math.max(0, Math.floor((start - from) / width)));
}

/** The samples of folded text (the sum of each line's trailing count), without building its stacks. */
export function countFoldedSamples(text: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /\S\s+(\d+(?:\.\d*)?)\s*$/.exec(line);
    if (match) total += Number(match[1]);
  }
  return total;
}
