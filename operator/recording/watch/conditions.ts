// metav1.Conditions in a status: one per type, whose lastTransitionTime moves only when its status does.
import type { Condition } from '../../../core/crd/resources.ts';

export interface ConditionChange {
  type: string;
  status: Condition['status'];
  reason: string;
  message: string;
}

export function setCondition(
  conditions: readonly Condition[] | undefined,
  change: ConditionChange,
  now: Date,
  observedGeneration?: number,
): Condition[] {
  const old = (conditions ?? []).find((c) => c.type === change.type);
  const next: Condition = {
    ...change,
    lastTransitionTime: old && old.status === change.status ? old.lastTransitionTime : now.toISOString(),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  return [...(conditions ?? []).filter((c) => c.type !== change.type), next];
}

export function conditionOf(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}
