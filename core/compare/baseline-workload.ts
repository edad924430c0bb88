// How a pinned baseline names its workload, and how a recording's pod is matched to one: shared by the
// server (which pins and matches) and the UI (which proposes the workload a pin should name). Pure.

/** `<kind>/<name>` as a pinned baseline names its workload: a kind and a DNS name, lower case. */
export const WORKLOAD_PATTERN = '^[a-z][a-z0-9]{0,62}/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';

/**
 * The longest key a baseline is pinned and listed by: a workload, or local mode's `pattern/` and the
 * longest process pattern (256 characters, core/contract/recording-params.ts).
 */
export const MAX_BASELINE_KEY = 320;

/** The kinds a rollout watch follows, as a baseline's workload spells them (`deployment/web`). */
export const BASELINE_KINDS = ['deployment', 'statefulset', 'daemonset', 'deploymentconfig'] as const;
export type BaselineKind = (typeof BASELINE_KINDS)[number];

/** What each kind's controller adds to the workload's name to name a pod. */
const POD_SUFFIX: Record<BaselineKind, RegExp> = {
  // The ReplicaSet's pod-template hash, then the pod's own five characters.
  deployment: /-[a-z0-9]{6,10}-[a-z0-9]{5}$/,
  statefulset: /-\d+$/,
  daemonset: /-[a-z0-9]{5}$/,
  // The ReplicationController's version number, then the pod's own five characters.
  deploymentconfig: /-\d+-[a-z0-9]{5}$/,
};

const isBaselineKind = (kind: string): kind is BaselineKind => Object.hasOwn(POD_SUFFIX, kind);

/**
 * The pod's name without a StatefulSet ordinal, or a ReplicaSet hash and a pod suffix: a guess at its
 * workload's name when the kind is not known (`node` for the DaemonSet pod `node-exporter-x2k4q`).
 */
export function podStem(pod: string): string {
  return pod.replace(/-\d+$/, '').replace(/(-[a-z0-9]{6,10})?-[a-z0-9]{5}$/, '');
}

/** The name of the workload of `kind` whose controller would name a pod `pod`. */
export function workloadNameOf(pod: string, kind: BaselineKind): string {
  return pod.replace(POD_SUFFIX[kind], '');
}

/** Whether `pod` is a pod of `workload` (`<kind>/<name>`); for a kind not in BASELINE_KINDS, by podStem. */
export function isPodOf(pod: string, workload: string): boolean {
  const slash = workload.indexOf('/');
  const kind = workload.slice(0, slash);
  const name = workload.slice(slash + 1);
  if (pod === name) return true;
  if (!isBaselineKind(kind)) return podStem(pod) === name;
  return pod.startsWith(`${name}-`) && workloadNameOf(pod, kind) === name;
}

/** Whether `workload` is a name a baseline can be pinned to (WORKLOAD_PATTERN, at most 320 characters). */
export function isBaselineWorkload(workload: string): boolean {
  return workload.length <= MAX_BASELINE_KEY && new RegExp(WORKLOAD_PATTERN).test(workload);
}
