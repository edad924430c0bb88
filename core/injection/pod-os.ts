// Whether a pod runs on Windows nodes. The sidecar is a Linux container that needs privileges Windows
// pods cannot have (the API server refuses `privileged`, capabilities and `runAsUser` on them), so such
// pods are skipped rather than made invalid or unschedulable.
import type { V1NodeSelectorTerm, V1Pod } from '@kubernetes/client-node';

/** The well-known node label with the node's operating system (and its pre-1.14 name). */
const OS_LABELS = ['kubernetes.io/os', 'beta.kubernetes.io/os'];

function isWindows(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'windows';
}

/** A node selector term that only Windows nodes can satisfy. */
function termPinsWindows(term: V1NodeSelectorTerm): boolean {
  return (term.matchExpressions ?? []).some((e) => {
    if (!OS_LABELS.includes(e.key)) return false;
    const values = e.values ?? [];
    if (e.operator === 'In') return values.length > 0 && values.every(isWindows);
    // Kubernetes nodes are Linux or Windows: "not Linux" means Windows.
    if (e.operator === 'NotIn') return values.some((v) => v.trim().toLowerCase() === 'linux');
    return false;
  });
}

/**
 * `spec.os.name: windows`, a `kubernetes.io/os: windows` node selector, or required node affinity whose
 * every term (they are ORed) allows only Windows nodes.
 */
export function runsOnWindows(pod: V1Pod): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  if (isWindows(spec.os?.name)) return true;
  if (OS_LABELS.some((label) => isWindows(spec.nodeSelector?.[label]))) return true;
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.length > 0 && terms.every(termPinsWindows);
}
