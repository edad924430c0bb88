// A start asked ahead (`startAt`) for a profiler that cannot begin sampling at an instant by itself (pprof,
// node, bpftrace, the scheduler recorder): it is planned at once, as any start, and run when the time comes.
// perf starts at once with its events off and switches them on at that instant (PlannedProfile.startsOnTime).
import type { LoopTimers } from '../host/runtime.ts';
import type { PlannedProfile, ProfileOutput, ProfilerRun, RunContext } from './profiler.ts';

/** What a recording stopped before its start says in its graph's subtitle. */
export const STOPPED_BEFORE_START = 'stopped before its start: nothing was sampled';

/**
 * The plan as it runs for a start at `startAtMs`: unchanged when that is not ahead or the profiler begins on
 * time itself; else its run begins on a timer, and a stop before then ends the recording with no samples.
 */
export function startWhenDue(
  planned: PlannedProfile,
  startAtMs: number | undefined,
  timers: LoopTimers,
): PlannedProfile {
  if (startAtMs === undefined || planned.startsOnTime === true) return planned;
  const wait = startAtMs - timers.now();
  if (!(wait > 0)) return planned;
  return { ...planned, run: (context) => runLater(planned, context, { wait, timers }) };
}

function runLater(
  planned: PlannedProfile,
  context: RunContext,
  { wait, timers }: { wait: number; timers: LoopTimers },
): ProfilerRun {
  let run: ProfilerRun | undefined;
  let settle: { resolve: (output: ProfileOutput) => void; reject: (error: Error) => void } | undefined;
  const done = new Promise<ProfileOutput>((resolve, reject) => (settle = { resolve, reject }));
  const handle = timers.setTimeout(() => {
    if (settle === undefined) return;
    const { resolve, reject } = settle;
    try {
      context.report({ type: 'sampling', at: new Date(timers.now()) });
      run = planned.run(context);
      run.done.then(resolve, reject);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  }, wait);
  return {
    stop: () => {
      if (run !== undefined) return run.stop();
      if (settle === undefined) return;
      timers.clearTimeout(handle);
      const { resolve } = settle;
      settle = undefined;
      resolve({ stacks: new Map(), subtitle: STOPPED_BEFORE_START, ended: 'stopped-before-start' });
    },
    done,
  };
}
