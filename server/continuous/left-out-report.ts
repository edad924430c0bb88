// What the node plans left out (plan-node.ts), shown three ways: the gauge
// furnace_continuous_targets_left_out{node,namespace}, a Warning Event on each pod when it is first left
// out (reason ContinuousTargetLeftOut, in its own namespace, where its owners look), and the `status` of
// the selections that picked it (GET /api/v1/continuous). Each agent asks for its node's plan every
// window, so the report keeps each node's last answer: the gauge and the status are the latest, and an
// Event is sent only for a pod that was not left out the time before.
import { Gauge, type Registry } from 'prom-client';
import { CONTINUOUS_LIMITS } from '../../core/continuous/continuous-plan.ts';
import type { PodEvent } from '../kube/kube-gateway.ts';
import type { LeftOutTarget } from './plan-node.ts';

export const LEFT_OUT_REASON = 'ContinuousTargetLeftOut';
/** Events sent for one plan at most; the rest show in the gauge and the status. */
const MAX_EVENTS_PER_PLAN = 20;

/** A selection's pods that a node's plan left out. */
export interface SelectionLeftOut {
  node: string;
  pod: string;
}

export interface LeftOutReport {
  /** The node's plan left out these pods; `recordEvent` sends the Events of pods newly left out. */
  report(
    node: string,
    leftOut: readonly LeftOutTarget[],
    recordEvent?: (event: PodEvent) => Promise<void>,
  ): void;
  /** The pods of selection `namespace/name` left out on any node, by node and pod name. */
  leftOutOf(namespace: string, name: string): SelectionLeftOut[];
}

const keyOf = (target: LeftOutTarget): string => `${target.namespace}/${target.pod}`;

function eventOf(node: string, target: LeftOutTarget): PodEvent {
  return {
    namespace: target.namespace,
    pod: target.pod,
    podUid: target.podUid,
    type: 'Warning',
    reason: LEFT_OUT_REASON,
    message: `continuous profiling (selection ${target.selections.join(', ')}) does not profile this pod: node ${node} profiles at most ${CONTINUOUS_LIMITS.maxTargetsPerNode} pods, shared between the namespaces that select pods there, and this namespace's share is taken by its older pods`,
  };
}

export function createLeftOutReport(registry: Registry): LeftOutReport {
  const gauge = new Gauge({
    name: 'furnace_continuous_targets_left_out',
    help: `Pods a continuous selection picks that their node's plan left out (a node profiles at most ${CONTINUOUS_LIMITS.maxTargetsPerNode}), by node and namespace`,
    labelNames: ['node', 'namespace'],
    registers: [registry],
  });
  const byNode = new Map<string, readonly LeftOutTarget[]>();
  return {
    report(node, leftOut, recordEvent) {
      const before = byNode.get(node) ?? [];
      const counts = new Map<string, number>();
      for (const target of leftOut) counts.set(target.namespace, (counts.get(target.namespace) ?? 0) + 1);
      for (const target of before)
        if (!counts.has(target.namespace)) gauge.remove({ node, namespace: target.namespace });
      for (const [namespace, count] of counts) gauge.set({ node, namespace }, count);
      if (leftOut.length > 0) byNode.set(node, leftOut);
      else byNode.delete(node);
      if (!recordEvent) return;
      const known = new Set(before.map(keyOf));
      const fresh = leftOut.filter((target) => !known.has(keyOf(target))).slice(0, MAX_EVENTS_PER_PLAN);
      // An Event that fails to be written is no reason to withhold the plan.
      for (const target of fresh) void recordEvent(eventOf(node, target)).catch(() => undefined);
    },
    leftOutOf(namespace, name) {
      const found: SelectionLeftOut[] = [];
      for (const [node, leftOut] of byNode)
        for (const target of leftOut)
          if (target.namespace === namespace && target.selections.includes(name))
            found.push({ node, pod: target.pod });
      return found.sort((a, b) => a.node.localeCompare(b.node) || a.pod.localeCompare(b.pod));
    },
  };
}
