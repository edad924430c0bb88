// The agent's continuous profiling loop: every poll it asks the server for the node's plan and follows it;
// in between it wakes only when a window is due to close or has closed, and sends finished windows. The poll is at most half a window apart, so a selection
// turned off stops perf within one window. Stops perf (sending its last window) when stopped.
import { CONTINUOUS_LIMITS, type ContinuousPlan } from '../../core/continuous/continuous-plan.ts';
import type { LoopTimers } from '../host/runtime.ts';
import type { ContinuousCollector } from './continuous-collector.ts';

export interface ContinuousLoopDeps {
  collector: Pick<ContinuousCollector, 'apply' | 'drain' | 'close' | 'nextDrainAt' | 'whenChanged'>;
  fetchPlan(): Promise<ContinuousPlan | undefined>;
  timers: LoopTimers;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Longest time between two plan polls (FURNACE_CONTINUOUS_POLL_SECONDS). */
  pollSeconds: number;
}

/** Seconds between plan polls: the configured poll, and at most half the plan's window. Pure. */
export function pollInterval(pollSeconds: number, plan: ContinuousPlan | undefined): number {
  const window = plan?.windowSeconds ?? CONTINUOUS_LIMITS.windowSeconds.default;
  return Math.max(0.5, Math.min(pollSeconds, window / 2));
}

/** A timer that fires this close before the poll is due counts as the poll's (timers fire a little early or late). */
const POLL_SLACK_MS = 10;

export function startContinuousLoop(deps: ContinuousLoopDeps): { stop(): Promise<void> } {
  let plan: ContinuousPlan | undefined;
  let nextPoll = 0;
  let stopped = false;
  let running = false;
  let handle: unknown;
  let current: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    const now = deps.timers.now();
    if (now + POLL_SLACK_MS >= nextPoll) {
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

  // The next tick is set for what is due first, the poll or a window to close and send, rather than
  // every second: an agent with nothing selected wakes once a poll, and one recording once a poll and
  // once a window more.
  function schedule(): void {
    if (stopped || running) return;
    deps.timers.clearTimeout(handle);
    const due = Math.min(nextPoll, deps.collector.nextDrainAt());
    handle = deps.timers.setTimeout(
      () => {
        running = true;
        current = tick()
          .catch((error: unknown) => deps.log('continuous tick failed', { error: (error as Error).message }))
          .finally(() => {
            running = false;
            schedule();
          });
      },
      Math.max(0, due - deps.timers.now()),
    );
  }
  deps.collector.whenChanged(schedule);
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
