// Pure: the Furnace's status from what the reconcile found. A condition keeps its lastTransitionTime
// while its status stays the same, so an unchanged world patches an unchanged status (no event, no loop).
import { FURNACE_CONDITION_TYPES, type Condition, type FurnaceStatus } from '../../core/crd/resources.ts';

export const CONDITION_TYPES = FURNACE_CONDITION_TYPES;
export type ConditionType = (typeof CONDITION_TYPES)[number];

export interface ConditionFact {
  ok: boolean;
  reason: string;
  message: string;
}

export interface StatusFacts {
  generation: number;
  conditions: Record<ConditionType, ConditionFact>;
  url: string;
}

/** A condition of `fact`, observed at `generation`; it keeps `previous`'s transition time while its status holds. */
function condition(
  type: ConditionType,
  fact: ConditionFact,
  previous: Condition | undefined,
  { generation, now }: { generation: number; now: Date },
): Condition {
  const status = fact.ok ? 'True' : 'False';
  // RFC 3339 in whole seconds, as Kubernetes writes condition times.
  const lastTransitionTime =
    previous?.status === status && previous.lastTransitionTime
      ? previous.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    type,
    status,
    reason: fact.reason,
    message: fact.message,
    observedGeneration: generation,
    lastTransitionTime,
  };
}

export function furnaceStatus(
  previous: FurnaceStatus | undefined,
  facts: StatusFacts,
  now: Date,
): FurnaceStatus {
  const before = new Map((previous?.conditions ?? []).map((c) => [c.type, c]));
  return {
    observedGeneration: facts.generation,
    url: facts.url,
    conditions: CONDITION_TYPES.map((type) =>
      condition(type, facts.conditions[type], before.get(type), { generation: facts.generation, now }),
    ),
  };
}

/**
 * The status of a Furnace the operator does not act on (acceptance.ts): `Accepted` and `Ready` False with
 * the reason; the conditions of an earlier pass are dropped.
 */
export function refusedStatus(
  previous: FurnaceStatus | undefined,
  refusal: { generation: number; reason: string; message: string },
  now: Date,
): FurnaceStatus {
  const before = new Map((previous?.conditions ?? []).map((c) => [c.type, c]));
  const fact: ConditionFact = { ok: false, reason: refusal.reason, message: refusal.message };
  return {
    observedGeneration: refusal.generation,
    // A merge patch keeps what it does not name: the URL of a server installed before stays as it was.
    ...(previous?.url ? { url: previous.url } : {}),
    conditions: (['Accepted', 'Ready'] as const).map((type) =>
      condition(type, fact, before.get(type), { generation: refusal.generation, now }),
    ),
  };
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, canonical(v)]),
  );
}

/** Equal as the API server would store them (key order and undefined fields do not count). */
export function sameStatus(a: FurnaceStatus | undefined, b: FurnaceStatus): boolean {
  return JSON.stringify(canonical(a ?? {})) === JSON.stringify(canonical(b));
}
