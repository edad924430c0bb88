import type { LoopTimers } from '../../sidecar/host/runtime.ts';
// Timers a unit test fires by hand, in order of their due time, for code that takes LoopTimers.

export interface ManualTimers extends LoopTimers {
  /** Moves the clock on by `ms` and runs every timer due by then, earliest first. */
  fire(ms: number): void;
  /** How many timers are waiting. */
  pending(): number;
}

export function manualTimers(): ManualTimers {
  let now = 0;
  const pending: { at: number; callback: () => void; id: number }[] = [];
  let next = 0;
  return {
    now: () => now,
    setTimeout(callback, ms) {
      pending.push({ at: now + ms, callback, id: ++next });
      return next;
    },
    clearTimeout(handle) {
      const index = pending.findIndex((t) => t.id === handle);
      if (index >= 0) pending.splice(index, 1);
    },
    fire(ms) {
      now += ms;
      for (const timer of pending.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)) {
        pending.splice(pending.indexOf(timer), 1);
        timer.callback();
      }
    },
    pending: () => pending.length,
  };
}
