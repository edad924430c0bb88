// What the rollout watch's Prometheus metrics say, from the Recordings the operator keeps: per watching
// Recording, the self share before and after of each of the top changed functions of its latest comparison,
// and its flag counts (status.watch.flags). Pure: the Recordings come in as the API server listed them, and
// are read field by field (a status is data another party wrote; anything of the wrong shape is skipped).
// Cardinality is bounded by construction: WATCH_METRICS_LIMITS (docs/rollout-watch.md, "Metrics").
import { CHANGE_DIRECTIONS, WATCH_TOP_CHANGES } from '../../core/crd/recording-watch.ts';

export const WATCH_METRICS_LIMITS = {
  /** Watching Recordings with series; the rest (by namespace and name) are left out and counted. */
  recordings: 200,
  /** Changed functions of the latest comparison, in the order the status lists them (flagged ones first). */
  functions: WATCH_TOP_CHANGES,
  /** Characters of a function name kept in its label (a C++ or Java name can run to kilobytes). */
  functionChars: 120,
} as const;

type Direction = (typeof CHANGE_DIRECTIONS)[number];

/** Labels every series of one watching Recording has. */
export interface WatchLabels {
  namespace: string;
  recording: string;
  /** `<kind>/<name>` of the workload it follows, kind in lower case (`deployment/web`). */
  workload: string;
}

export interface ShareSeries extends WatchLabels {
  function: string;
  direction: Direction;
  version: 'before' | 'after';
  /** Self share, 0..1. */
  value: number;
}

export interface FlagSeries extends WatchLabels {
  verdict: Direction;
  value: number;
}

export interface WatchSeries {
  shares: ShareSeries[];
  flags: FlagSeries[];
  /** Watching Recordings beyond WATCH_METRICS_LIMITS.recordings. */
  leftOut: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const share = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100 ? value / 100 : undefined;
const count = (value: unknown): number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;

/** A function name as a label value: at most `functionChars` characters, `…` saying it was cut. */
export function functionLabel(name: string): string {
  const chars = [...name];
  const keep = WATCH_METRICS_LIMITS.functionChars;
  return chars.length <= keep ? name : `${chars.slice(0, keep - 1).join('')}…`;
}

/** The labels of a Recording that watches a workload, or undefined for any other object. */
function watchLabels(item: unknown): WatchLabels | undefined {
  if (!isObject(item) || !isObject(item.metadata) || !isObject(item.spec) || !isObject(item.spec.watch))
    return undefined;
  const namespace = text(item.metadata.namespace);
  const recording = text(item.metadata.name);
  const kind = text(item.spec.watch.kind);
  const name = text(item.spec.watch.name);
  if (!namespace || !recording || !kind || !name) return undefined;
  return { namespace, recording, workload: `${kind.toLowerCase()}/${name}` };
}

function shareSeries(labels: WatchLabels, watch: Record<string, unknown>): ShareSeries[] {
  // The latest comparison with the version before; those with the pinned baseline have no series.
  const comparisons: unknown[] = Array.isArray(watch.comparisons) ? watch.comparisons : [];
  const latest = comparisons.find((c) => isObject(c) && c.against !== 'baseline');
  if (!isObject(latest) || !Array.isArray(latest.changes)) return [];
  const series: ShareSeries[] = [];
  const seen = new Set<string>();
  for (const change of latest.changes as unknown[]) {
    if (seen.size >= WATCH_METRICS_LIMITS.functions) break;
    if (!isObject(change)) continue;
    const name = text(change.name);
    const direction = CHANGE_DIRECTIONS.find((d) => d === change.direction);
    const before = share(change.before);
    const after = share(change.after);
    if (!name || !direction || before === undefined || after === undefined) continue;
    const fn = functionLabel(name);
    // Two names cut to one label would be one series set twice: the first (higher ranked) wins.
    if (seen.has(fn)) continue;
    seen.add(fn);
    series.push({ ...labels, function: fn, direction, version: 'before', value: before });
    series.push({ ...labels, function: fn, direction, version: 'after', value: after });
  }
  return series;
}

function flagSeries(labels: WatchLabels, watch: Record<string, unknown>): FlagSeries[] {
  const flags = isObject(watch.flags) ? watch.flags : {};
  return CHANGE_DIRECTIONS.map((verdict) => ({ ...labels, verdict, value: count(flags[verdict]) }));
}

/** The series of the watching Recordings among `items` (the `items` of a list of Recordings). */
export function watchSeries(items: readonly unknown[]): WatchSeries {
  const watching = items
    .map((item) => ({ item, labels: watchLabels(item) }))
    .filter((w): w is { item: Record<string, unknown>; labels: WatchLabels } => w.labels !== undefined)
    .sort(
      (a, b) =>
        a.labels.namespace.localeCompare(b.labels.namespace) ||
        a.labels.recording.localeCompare(b.labels.recording),
    );
  const kept = watching.slice(0, WATCH_METRICS_LIMITS.recordings);
  const result: WatchSeries = { shares: [], flags: [], leftOut: watching.length - kept.length };
  for (const { item, labels } of kept) {
    const status = isObject(item.status) ? item.status : {};
    const watch = isObject(status.watch) ? status.watch : {};
    result.shares.push(...shareSeries(labels, watch));
    result.flags.push(...flagSeries(labels, watch));
  }
  return result;
}
