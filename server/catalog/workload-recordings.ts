// Which recordings a recording of a workload is compared with: the baseline pinned for its workload and
// the one recorded before it. Entries name a pod, not its workload, so a workload is found by name: a
// pinned `<kind>/<name>` whose pods are named as that kind's controller names them (`web-7d9f8c6b5-x2k4q`
// of deployment/web, `web-0` of statefulset/web, `web-x2k4q` of daemonset/web), else the pod's name without
// the suffixes a ReplicaSet and a pod add. Pure.
import { profileOf } from '../../core/contract/profile-types.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { isPodOf, podStem } from '../../core/compare/baseline-workload.ts';

export interface WorkloadRecordings {
  /** The pinned workload, when one matched. */
  workload?: string;
  baseline?: CatalogEntry;
  previous?: CatalogEntry;
}

/**
 * The baseline and the previous recording of `entry`'s workload among `entries` (newest first, as the
 * catalog lists them): finished, of the same namespace and profile type, the same container and process
 * pattern, started before it.
 */
export function workloadRecordings(entry: CatalogEntry, entries: Iterable<CatalogEntry>): WorkloadRecordings {
  const all = comparableWith(entry, entries);
  const baseline = all.find(
    (other) => other.baselineOf !== undefined && isPodOf(entry.pod, other.baselineOf),
  );
  const pinned = baseline?.baselineOf;
  const stem = podStem(entry.pod);
  const ofWorkload = (pod: string) =>
    pinned === undefined ? pod === stem || podStem(pod) === stem : isPodOf(pod, pinned);
  const started = Date.parse(entry.startedAt);
  const previous = all.find(
    (other) =>
      Date.parse(other.startedAt) < started &&
      ofWorkload(other.pod) &&
      other.params.container === entry.params.container &&
      other.params.processPattern === entry.params.processPattern,
  );
  return {
    ...(baseline?.baselineOf !== undefined ? { workload: baseline.baselineOf, baseline } : {}),
    ...(previous ? { previous } : {}),
  };
}

/** The other finished recordings of `entry`'s namespace and profile type among `entries`, in their order. */
export function comparableWith(entry: CatalogEntry, entries: Iterable<CatalogEntry>): CatalogEntry[] {
  return [...entries].filter(
    (other) =>
      other.id !== entry.id &&
      other.namespace === entry.namespace &&
      other.state === 'done' &&
      profileOf(other.params) === profileOf(entry.params),
  );
}
