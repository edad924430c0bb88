// The plan a node's agent follows: the running pods of that node, in opted-in namespaces and not opted
// out, that a selection of their namespace picks, with the containers it names (all when it names none).
// The perf of a node runs at the highest frequency its selections ask for. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import {
  CONTINUOUS_LIMITS,
  type ContinuousPlan,
  type ContinuousTarget,
} from '../../core/continuous/continuous-plan.ts';
import { podRefusal, scopeContainers } from '../agent/agent-routing.ts';
import { matchesSelector, type ContinuousSelection } from './continuous-selection.ts';

export interface NodePlanInput {
  node: string;
  pods: readonly V1Pod[];
  selections: readonly ContinuousSelection[];
  /** Namespaces labelled furnace=enabled. */
  optedIn: ReadonlySet<string>;
  settings: { frequency: number; windowSeconds: number };
}

const POD_TEMPLATE_HASH = 'pod-template-hash';

/** `Kind/name` of the pod's controller: a ReplicaSet's pod counts as its Deployment's; a bare pod as itself. */
export function workloadOf(pod: V1Pod): string {
  const name = pod.metadata?.name ?? '';
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
  if (!owner) return `Pod/${name}`;
  const hash = pod.metadata?.labels?.[POD_TEMPLATE_HASH];
  if (owner.kind === 'ReplicaSet' && hash !== undefined && owner.name.endsWith(`-${hash}`))
    return `Deployment/${owner.name.slice(0, -hash.length - 1)}`;
  return `${owner.kind}/${owner.name}`;
}

function targetOf(pod: V1Pod, chosen: readonly ContinuousSelection[]): ContinuousTarget | undefined {
  const wanted = chosen.some((s) => s.containers === undefined)
    ? undefined
    : new Set(chosen.flatMap((s) => s.containers ?? []));
  const containers = scopeContainers(pod)
    .filter((c) => wanted === undefined || wanted.has(c.name))
    .map(({ name, id }) => ({ name, id }));
  if (containers.length === 0) return undefined;
  return {
    namespace: pod.metadata?.namespace ?? '',
    pod: pod.metadata?.name ?? '',
    podUid: pod.metadata?.uid ?? '',
    workload: workloadOf(pod),
    containers,
  };
}

export function planForNode(input: NodePlanInput): ContinuousPlan {
  const targets: ContinuousTarget[] = [];
  let frequency = 0;
  for (const pod of input.pods) {
    const namespace = pod.metadata?.namespace ?? '';
    if (pod.spec?.nodeName !== input.node || !input.optedIn.has(namespace)) continue;
    if (podRefusal(pod, `${namespace}/${pod.metadata?.name ?? ''}`) !== undefined) continue;
    const chosen = input.selections.filter(
      (s) => s.namespace === namespace && matchesSelector(s.selector, pod.metadata?.labels),
    );
    if (chosen.length === 0) continue;
    const target = targetOf(pod, chosen);
    if (!target || targets.length >= CONTINUOUS_LIMITS.maxTargetsPerNode) continue;
    targets.push(target);
    frequency = Math.max(frequency, ...chosen.map((s) => s.frequency));
  }
  return {
    frequency: frequency || input.settings.frequency,
    windowSeconds: input.settings.windowSeconds,
    targets,
  };
}
