// The plan a node's agent follows: the running pods of that node, in opted-in namespaces and not opted
// out, that a selection of their namespace picks, with the containers it names (all when it names none).
// The perf of a node runs at the highest frequency its selections ask for. A node takes at most
// CONTINUOUS_LIMITS.maxTargetsPerNode targets, shared fairly between namespaces: taken one namespace at a
// time in turn (oldest pod first within each), so one tenant selecting many pods cannot crowd out another
// namespace's pod, whenever it was created. What is left out is returned with the plan, to be shown
// (left-out-report.ts). Pure.
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

/** A selected pod the node's plan had no room for. */
export interface LeftOutTarget {
  namespace: string;
  pod: string;
  podUid: string;
  /** The selections of its namespace that picked it. */
  selections: string[];
}

export interface NodePlan {
  plan: ContinuousPlan;
  leftOut: LeftOutTarget[];
}

interface Candidate {
  target: ContinuousTarget;
  chosen: readonly ContinuousSelection[];
  createdAt: number;
}

/** The pod as a candidate of the node's plan, or undefined when no selection of its namespace may take it. */
function candidateOf(input: NodePlanInput, pod: V1Pod): Candidate | undefined {
  const namespace = pod.metadata?.namespace ?? '';
  if (pod.spec?.nodeName !== input.node || !input.optedIn.has(namespace)) return undefined;
  if (podRefusal(pod, `${namespace}/${pod.metadata?.name ?? ''}`) !== undefined) return undefined;
  const chosen = input.selections.filter(
    (s) => s.namespace === namespace && matchesSelector(s.selector, pod.metadata?.labels),
  );
  const target = chosen.length === 0 ? undefined : targetOf(pod, chosen);
  if (!target) return undefined;
  const created = new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
  return { target, chosen, createdAt: Number.isNaN(created) ? 0 : created };
}

/** The selected pods of the node, by namespace, oldest first (then by name). */
function candidatesByNamespace(input: NodePlanInput): Map<string, Candidate[]> {
  const byNamespace = new Map<string, Candidate[]>();
  for (const pod of input.pods) {
    const candidate = candidateOf(input, pod);
    if (!candidate) continue;
    const list = byNamespace.get(candidate.target.namespace) ?? [];
    list.push(candidate);
    byNamespace.set(candidate.target.namespace, list);
  }
  for (const list of byNamespace.values())
    list.sort((a, b) => a.createdAt - b.createdAt || a.target.pod.localeCompare(b.target.pod));
  return byNamespace;
}

/** The node's plan and the selected pods it has no room for. */
export function planNode(input: NodePlanInput): NodePlan {
  const byNamespace = candidatesByNamespace(input);
  const queues = [...byNamespace.keys()].sort().map((namespace) => byNamespace.get(namespace) ?? []);
  const taken: Candidate[] = [];
  // One from each namespace in turn: max-min fair, and the same plan for the same pods.
  for (let round = 0; taken.length < CONTINUOUS_LIMITS.maxTargetsPerNode; round++) {
    const turn = queues.filter((queue) => queue.length > round).map((queue) => queue[round]);
    if (turn.length === 0) break;
    for (const candidate of turn) {
      if (candidate && taken.length < CONTINUOUS_LIMITS.maxTargetsPerNode) taken.push(candidate);
    }
  }
  const kept = new Set(taken);
  const leftOut = queues
    .flat()
    .filter((candidate) => !kept.has(candidate))
    .map(({ target, chosen }) => ({
      namespace: target.namespace,
      pod: target.pod,
      podUid: target.podUid,
      selections: chosen.map((s) => s.name),
    }));
  const frequency = Math.max(0, ...taken.flatMap((c) => c.chosen.map((s) => s.frequency)));
  const plan = {
    frequency: frequency || input.settings.frequency,
    windowSeconds: input.settings.windowSeconds,
    targets: taken.map((c) => c.target),
  };
  return { plan, leftOut };
}

export function planForNode(input: NodePlanInput): ContinuousPlan {
  return planNode(input).plan;
}
