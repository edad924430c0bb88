// The webhook's one metric: every admission answer, by decision and primary reason.
import { Counter, Registry } from 'prom-client';
import type { InjectionDecision } from '../../core/injection/decide-injection.ts';

export const DECISIONS_METRIC = 'furnace_webhook_decisions_total';

export type DecisionCounter = Counter<'decision' | 'reason'>;

/** Registers the counter once per registry (several apps may share one, as tests do). */
export function decisionCounter(registry: Registry = new Registry()): DecisionCounter {
  const existing = registry.getSingleMetric(DECISIONS_METRIC);
  if (existing instanceof Counter) return existing;
  return new Counter({
    name: DECISIONS_METRIC,
    help: 'Admission answers of the furnace webhook by decision (inject, skip, error) and primary reason',
    labelNames: ['decision', 'reason'],
    registers: [registry],
  });
}

export function countDecision(counter: DecisionCounter, decision: InjectionDecision): void {
  counter.inc({ decision: decision.inject ? 'inject' : 'skip', reason: decision.reasons[0] ?? 'none' });
}
