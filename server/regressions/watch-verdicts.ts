// Which catalog recordings a rollout watch compared, and its verdict on each, from the Recordings the
// operator keeps: a recording of a version in `status.watch.versions` has the verdict of the comparison whose
// `to` is that version (none for the first version: it had nothing to compare with); a recording of the run
// under way (`status.results` while `status.watch.recording` names a version not recorded yet) is pending.
// Pure; the statuses are read field by field like watch-series.ts.
import { COMPARISON_VERDICTS, type ComparisonVerdict } from '../../core/crd/recording-watch.ts';

export type WatchVerdict =
  { state: 'none' } | { state: 'pending' } | { state: 'known'; verdict: ComparisonVerdict };

export type VerdictIndex = ReadonlyMap<string, WatchVerdict>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function recordingIds(entries: unknown): string[] {
  return list(entries).flatMap((entry) => {
    const id = isObject(entry) ? text(entry.recordingId) : undefined;
    return id ? [id] : [];
  });
}

/**
 * Version → the verdict of the newest comparison with the version before that ends at it (comparisons are
 * newest first; those with the pinned baseline do not label pushes).
 */
function verdictsByVersion(comparisons: unknown): Map<string, ComparisonVerdict> {
  const verdicts = new Map<string, ComparisonVerdict>();
  for (const comparison of list(comparisons)) {
    if (!isObject(comparison) || comparison.against === 'baseline') continue;
    const to = text(comparison.to);
    const verdict = COMPARISON_VERDICTS.find((v) => v === comparison.verdict);
    if (to && verdict && !verdicts.has(to)) verdicts.set(to, verdict);
  }
  return verdicts;
}

function indexWatch(index: Map<string, WatchVerdict>, status: Record<string, unknown>): void {
  const watch = isObject(status.watch) ? status.watch : undefined;
  if (!watch) return;
  const verdicts = verdictsByVersion(watch.comparisons);
  const recorded = new Set<string>();
  for (const version of list(watch.versions)) {
    const name = isObject(version) ? text(version.version) : undefined;
    if (!name || !isObject(version)) continue;
    recorded.add(name);
    const verdict = verdicts.get(name);
    for (const id of recordingIds(version.recordings))
      index.set(id, verdict ? { state: 'known', verdict } : { state: 'none' });
  }
  const running = text(watch.recording);
  if (!running || recorded.has(running)) return;
  for (const id of recordingIds(status.results)) if (!index.has(id)) index.set(id, { state: 'pending' });
}

/** Recording id → the watch's verdict, over every watching Recording among `items`. */
export function watchVerdicts(items: readonly unknown[]): VerdictIndex {
  const index = new Map<string, WatchVerdict>();
  for (const item of items)
    if (isObject(item) && isObject(item.spec) && isObject(item.spec.watch) && isObject(item.status))
      indexWatch(index, item.status);
  return index;
}
