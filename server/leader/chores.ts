// The server's single-writer chores (retention with the failure timer, expired start slots, and what
// other parts add: orphaned artifacts), each on its own interval and run only while this replica leads
// (kube/leases/leader-election.ts; one replica is always the leader). A chore never overlaps itself, and
// a replica that stops leading starts no new run: one in flight finishes, within the renew deadline that
// keeps the old and the new leader apart.
import type { Leadership } from '../../kube/leases/leader-election.ts';

export interface Chore {
  /** Names the chore in logs and in runs(). */
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export interface ChoreLog {
  warn(obj: object, msg: string): void;
}

export interface ChoresDeps {
  leadership: Leadership;
  chores: readonly Chore[];
  log: ChoreLog;
  setTimer?: (callback: () => void, ms: number) => NodeJS.Timeout;
}

export interface RunningChores {
  /** How often each chore ran on this replica (tests count them). */
  runs(name: string): number;
  /** Runs every chore once now if this replica leads (after it starts leading, say). */
  runNow(): void;
  /** Starts no more runs and waits for those in flight. */
  stop(): Promise<void>;
}

export function startChores(deps: ChoresDeps): RunningChores {
  const { setTimer = (callback: () => void, ms: number) => setTimeout(callback, ms) } = deps;
  const counts = new Map<string, number>();
  const inFlight = new Map<string, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  function runOnce(chore: Chore): void {
    if (stopped || inFlight.has(chore.name) || !deps.leadership.isLeader()) return;
    counts.set(chore.name, (counts.get(chore.name) ?? 0) + 1);
    const work = chore
      .run()
      .then(
        () => undefined,
        (error: unknown) => deps.log.warn({ err: error, chore: chore.name }, `chore ${chore.name} failed`),
      )
      .finally(() => inFlight.delete(chore.name));
    inFlight.set(chore.name, work);
  }

  function every(chore: Chore): void {
    if (stopped) return;
    const timer = setTimer(() => {
      timers.delete(timer);
      runOnce(chore);
      every(chore);
    }, chore.everyMs);
    timer.unref?.();
    timers.add(timer);
  }

  for (const chore of deps.chores) every(chore);
  const unsubscribe = deps.leadership.onChange((leading) => {
    if (leading) for (const chore of deps.chores) runOnce(chore);
  });
  return {
    runs: (name) => counts.get(name) ?? 0,
    runNow: () => deps.chores.forEach(runOnce),
    async stop() {
      stopped = true;
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
