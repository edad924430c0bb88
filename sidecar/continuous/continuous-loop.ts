// The agent's continuous profiling loop: every tick it sends finished windows; every poll it asks the
// server for the node's plan and follows it. The poll is at most half a window apart, so a selection
// turned off stops perf within one window. Stops perf (sending its last window) when stopped.
import { CONTINUOUS_LIMITS, type ContinuousPlan } from '../../core/continuous/continuous-plan.ts';
import type { LoopTimers } from '../host/runtime.ts';
import type { ContinuousCollector } from './continuous-collector.ts';

export interface ContinuousLoopDeps {
  collector: Pick<ContinuousCollector, 'apply' | 'drain' | 'close'>;
  fetchPlan(): Promise<ContinuousPlan | undefined>;
  timers: LoopTimers;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Longest time between two plan polls (FURNACE_CONTINUOUS_POLL_SECONDS). */
  pollSeconds: number;
  tickMs?: number;
}

/** Seconds between plan polls: the configured poll, and at most half the plan's window. Pure. */
export function pollInterval(pollSeconds: number, plan: ContinuousPlan | undefined): number {
  const window = plan?.windowSeconds ?? CONTINUOUS_LIMITS.windowSeconds.default;
  return Math.max(0.5, Math.min(pollSeconds, window / 2));
}

export function startContinuousLoop(deps: ContinuousLoopDeps): { stop(): Promise<void> } {
  const tickMs = deps.tickMs ?? 1000;
  let plan: ContinuousPlan | undefined;
  let nextPoll = 0;
  let stopped = false;
  let handle: unknown;
  let current: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    const now = deps.timers.now();
    if (now >= nextPoll) {
      const fresh = await deps.fetchPlan().catch((error: unknown) => {
        deps.log('continuous plan not had', { error: (error as Error).message });
        return undefined;
      });
      if (fresh !== undefined && !stopped) {
        plan = fresh;
        await deps.collector.apply(fresh);
      }
      nextPoll = now + pollInterval(deps.pollSeconds, plan) * 1000;
    }
    await deps.collector.drain();
  }

  function schedule(): void {
    if (stopped) return;
    handle = deps.timers.setTimeout(() => {
      current = tick()
        .catch((error: unknown) => deps.log('continuous tick failed', { error: (error as Error).message }))
        .finally(schedule);
    }, tickMs);
  }
  schedule();
  return {
    async stop() {
      stopped = true;
      deps.timers.clearTimeout(handle);
      await current;
      await deps.collector.close();
    },
  };
}
