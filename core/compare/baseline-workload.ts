// How a pinned baseline names its workload, and how a recording's pod is matched to one: shared by the
// server (which pins and matches) and the UI (which proposes the workload a pin should name). Pure.

/** `<kind>/<name>` as a pinned baseline names its workload: a kind and a DNS name, lower case. */
export const WORKLOAD_PATTERN = '^[a-z][a-z0-9]{0,62}/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';

/** The kinds a rollout watch follows, as a baseline's workload spells them (`deployment/web`). */
export const BASELINE_KINDS = ['deployment', 'statefulset', 'daemonset', 'deploymentconfig'] as const;

/** The pod's name without a StatefulSet ordinal, or a ReplicaSet hash and a pod suffix. */
export function podStem(pod: string): string {
  return pod.replace(/-\d+$/, '').replace(/(-[a-z0-9]{6,10})?-[a-z0-9]{5}$/, '');
}

/** Whether `workload` is a name a baseline can be pinned to (WORKLOAD_PATTERN, at most 320 characters). */
export function isBaselineWorkload(workload: string): boolean {
  return workload.length <= 320 && new RegExp(WORKLOAD_PATTERN).test(workload);
}
