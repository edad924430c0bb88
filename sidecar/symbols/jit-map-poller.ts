// Copies the targets' JIT maps (/tmp/perf-PID.map) now and then while perf records: a target that exits
// takes its /tmp along, and perf script needs the map later.
import { copyJitMaps, removeJitMaps, type JitMapOptions, type JitTarget } from './jit-maps.ts';
import type { LoopTimers } from '../host/runtime.ts';

export interface JitMapPoller {
  /** Stops the timer and takes one last copy (the maps are most complete at the end). */
  finish(): Promise<void>;
  /** Deletes every copy made. */
  remove(): Promise<void>;
}

export async function startJitMapPoller(
  timers: LoopTimers,
  targets: readonly JitTarget[],
  options: JitMapOptions | undefined,
  intervalMs = 5000,
): Promise<JitMapPoller> {
  const copies = new Set<string>();
  let timer: unknown;
  let stopped = false;
  const copy = async (): Promise<void> => {
    for (const path of await copyJitMaps(targets, options)) copies.add(path);
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = timers.setTimeout(() => void copy().then(schedule), intervalMs);
  };
  await copy();
  schedule();
  return {
    async finish() {
      stopped = true;
      timers.clearTimeout(timer);
      await copy();
    },
    remove: () => removeJitMaps(copies),
  };
}
