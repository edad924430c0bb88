// The node agent's continuous profiling: one long-lived `perf record | perf script` pair for every selected
// container of the node (perf-pair.ts), its output cut into windows by the samples' own wall-clock times
// and collapsed as it streams (window-cut.ts), each closed window split by pod and container and sent to
// the server as folded stacks. A plan with other containers (or another frequency or window length)
// restarts the pair; an empty plan runs none. Closed windows waiting beyond `maxPendingWindows` are
// dropped, oldest first, and counted (the server's metric, through the upload).
import type {
  ContinuousPlan,
  ContinuousWindowUpload,
  WindowProfile,
} from '../../core/continuous/continuous-plan.ts';
import { EMPTY_PLAN, planKey } from '../../core/continuous/continuous-plan.ts';
import { formatFolded, type FoldedStacks } from '../../core/stacks/folded.ts';
import type { SpawnFn } from '../host/runtime.ts';
import type { CgroupScan, ScannedOwner } from './cgroup-scan.ts';
import { continuousPerfArgs, continuousScriptArgs } from './perf-continuous-args.ts';
import { pairFailureMessage, startPerfPair, type PerfPair } from './perf-pair.ts';
import { WindowCutter, type CutWindow } from './window-cut.ts';
import { pidsOf, splitByOwner } from './window-split.ts';

export interface CollectorDeps {
  spawn: SpawnFn;
  perfPath: string;
  node: string;
  /**
   * The selected containers' processes and cgroups. With `recheck` it may read only what can have changed
   * since its last call (cgroup-scan.ts `createProcScan`), those PIDs included, and says so (`full: false`).
   */
  scan(targets: ContinuousPlan['targets'], recheck?: ReadonlySet<number>): Promise<CgroupScan>;
  upload(window: ContinuousWindowUpload & { dropped: number }): Promise<void>;
  log(message: string, fields?: Record<string, unknown>): void;
  /** The wall clock in ms: windows are cut against perf's CLOCK_REALTIME sample times. */
  now(): number;
  /** Closed windows that may wait to be sent; more are dropped and counted. */
  maxPendingWindows: number;
  /** A copy of the kernel's symbols for perf script (kernel-symbols.ts); undefined: /proc/kallsyms. */
  kernelSymbols?(): Promise<string | undefined>;
  /** How long after its end a window waits for samples perf has not delivered yet (WINDOW_GRACE_MS). */
  graceMs?: number;
  /** After the pair failed, the same plan is tried again this much later (PERF_RETRY_MS). */
  retryMs?: number;
}

interface RunningPair {
  pair: PerfPair;
  cutter: WindowCutter;
  /** The pair ended and its last windows were taken. */
  done: Promise<void>;
}

/** How many scans a PID stays known after it was last seen: its samples of a late window still count. */
const OWNER_SCANS_KEPT = 3;
/** After perf failed, the same plan is tried again only this much later (a new plan at once). */
export const PERF_RETRY_MS = 30_000;
/** perf record with `-m 1` delivers samples 2 to 5 s late (measured); a window waits this long at most. */
export const WINDOW_GRACE_MS = 10_000;

export class ContinuousCollector {
  #plan: ContinuousPlan = EMPTY_PLAN;
  #key = '';
  #pair: RunningPair | undefined;
  #owners = new Map<number, { owner: ScannedOwner; scan: number }>();
  #scans = 0;
  /** Closed windows not sent yet, oldest first. */
  #ready: CutWindow[] = [];
  #dropped = 0;
  /** The plan perf last failed on, and when it may be tried again. */
  #failed: { key: string; retryAt: number } | undefined;
  /** The plan of the last scan, and whether that scan found every container the plan names. */
  #scanned: { plan: string; complete: boolean } | undefined;
  #changed: () => void = () => undefined;

  private readonly deps: CollectorDeps;

  constructor(deps: CollectorDeps) {
    this.deps = deps;
  }

  /** Whether a perf pair runs now (tests and logs). */
  get running(): boolean {
    return this.#pair !== undefined;
  }

  /** When `drain` has something to do next (0: now; Infinity: only when told by `whenChanged`). */
  nextDrainAt(): number {
    if (this.#ready.length > 0) return 0;
    return this.#pair?.cutter.nextCloseAt() ?? Number.POSITIVE_INFINITY;
  }

  /** Calls `listener` when `nextDrainAt` may have moved: perf's output was read, or the pair ended. */
  whenChanged(listener: () => void): void {
    this.#changed = listener;
  }

  /** Windows dropped since the last upload. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Follows a new plan: rescans the containers, restarts the pair when what it samples changed. */
  async apply(plan: ContinuousPlan): Promise<void> {
    this.#plan = plan;
    // The same plan, every container found and perf running: nothing perf samples can have changed
    // (a new container is a new ID, so a new plan), and a poll costs no walk over /proc.
    const unchanged = this.#scanned?.plan === planKey(plan) && this.#scanned.complete;
    if (unchanged && this.#pair !== undefined) return;
    const cgroups = await this.#rescan();
    const key = `${planKey(plan)}|${cgroups.join(',')}`;
    if (key === this.#key && (this.#pair !== undefined || cgroups.length === 0)) return;
    if (key === this.#failed?.key && this.deps.now() < this.#failed.retryAt) return;
    this.#key = key;
    if (this.#pair !== undefined) {
      await this.#stopPair();
      // The stopped pair's last windows, with their own time ranges, before the next pair starts.
      await this.drain();
    }
    if (cgroups.length > 0) await this.#startPair(cgroups);
  }

  /** Closes the windows whose grace has passed and sends every closed window, oldest first. */
  async drain(): Promise<void> {
    const running = this.#pair;
    if (running !== undefined) {
      running.cutter.closeDue(this.deps.now());
      this.#take(running.cutter);
    }
    const excess = this.#ready.length - this.deps.maxPendingWindows;
    if (excess > 0) {
      this.#ready.splice(0, excess);
      this.#dropped += excess;
      this.deps.log('continuous profiling dropped windows over its budget', { dropped: excess });
    }
    if (this.#ready.length === 0) return;
    // New processes, and the windows' own PIDs again: a PID seen before keeps its container.
    const pids = new Set(this.#ready.flatMap((window) => [...pidsOf(window.stacks)]));
    await this.#rescan(pids);
    for (let window = this.#ready.shift(); window; window = this.#ready.shift()) await this.#send(window);
  }

  /** Stops the pair and sends what it had. */
  async close(): Promise<void> {
    await this.#stopPair();
    await this.drain();
  }

  async #rescan(recheck?: ReadonlySet<number>): Promise<string[]> {
    const scan = await this.deps.scan(this.#plan.targets, recheck);
    this.#scans += 1;
    if (scan.full !== false) {
      const found = new Set([...scan.owners.values()].map((owner) => owner.key));
      const named = this.#plan.targets.flatMap((t) => t.containers.map((c) => `${t.podUid}/${c.name}`));
      this.#scanned = { plan: planKey(this.#plan), complete: named.every((key) => found.has(key)) };
    }
    // A process a partial scan did not read but still listed is still where it was.
    if (scan.full === false)
      for (const [pid, known] of this.#owners) if (scan.listed?.has(pid)) known.scan = this.#scans;
    for (const [pid, owner] of scan.owners) this.#owners.set(pid, { owner, scan: this.#scans });
    for (const [pid, known] of this.#owners)
      if (this.#scans - known.scan >= OWNER_SCANS_KEPT) this.#owners.delete(pid);
    return scan.cgroups;
  }

  async #startPair(cgroups: string[]): Promise<void> {
    const { frequency, windowSeconds } = this.#plan;
    const kallsyms = await this.deps.kernelSymbols?.();
    const origin = this.deps.now();
    const graceMs = this.deps.graceMs ?? WINDOW_GRACE_MS;
    const cutter = new WindowCutter({ origin, lengthMs: windowSeconds * 1000, graceMs });
    const pair = startPerfPair({
      spawn: this.deps.spawn,
      recordCommand: { command: this.deps.perfPath, args: continuousPerfArgs({ frequency, cgroups }) },
      scriptCommand: { command: this.deps.perfPath, args: continuousScriptArgs(kallsyms) },
      onOutput: (chunk) => {
        cutter.push(chunk);
        this.#changed();
      },
    });
    const running: RunningPair = { pair, cutter, done: Promise.resolve() };
    running.done = pair.ended.then((result) => this.#pairEnded(running, result));
    this.#pair = running;
    this.deps.log('continuous perf started', { containers: cgroups.length, frequency, windowSeconds });
  }

  #pairEnded(running: RunningPair, result: Awaited<PerfPair['ended']>): void {
    running.cutter.finish(this.deps.now());
    this.#take(running.cutter);
    this.#changed();
    if (this.#pair !== running) return;
    // Not stopped by the agent: a cgroup gone, a missing capability, a crash.
    const { record, script } = result;
    this.deps.log('continuous perf exited', { record, script, error: pairFailureMessage(result) });
    this.#pair = undefined;
    this.#failed = { key: this.#key, retryAt: this.deps.now() + (this.deps.retryMs ?? PERF_RETRY_MS) };
    this.#key = '';
  }

  async #stopPair(): Promise<void> {
    const running = this.#pair;
    if (running === undefined) return;
    this.#pair = undefined;
    // SIGINT: perf record writes what it has; perf script prints it and ends at the end of its input.
    running.pair.stop();
    await running.done;
    this.deps.log('continuous perf stopped');
  }

  #take(cutter: WindowCutter): void {
    this.#ready.push(...cutter.takeClosed());
    const late = cutter.takeLate();
    const untimed = cutter.takeUntimed();
    if (late > 0 || untimed > 0)
      this.deps.log('continuous samples after their window closed left out', { late, untimed });
  }

  async #send(window: CutWindow): Promise<void> {
    try {
      const profiles = this.#profilesOf(window.stacks);
      const dropped = this.#dropped;
      if (profiles.length > 0 || dropped > 0) {
        const { start, end } = window;
        await this.deps.upload({ node: this.deps.node, start, end, profiles, dropped });
        this.#dropped -= dropped;
      }
    } catch (error) {
      this.#dropped += 1;
      this.deps.log('continuous window was not sent', {
        start: window.start,
        error: (error as Error).message,
      });
    }
  }

  #profilesOf(stacks: FoldedStacks): WindowProfile[] {
    const split = splitByOwner(stacks, (pid) => this.#owners.get(pid)?.owner);
    if (split.unattributed > 0)
      this.deps.log('continuous samples of unknown processes left out', { samples: split.unattributed });
    const owners = new Map([...this.#owners.values()].map(({ owner }) => [owner.key, owner]));
    return [...split.byOwner].flatMap(([key, folded]) => {
      const owner = owners.get(key);
      if (!owner) return [];
      const { namespace, pod, workload } = owner.target;
      return [{ namespace, pod, workload, container: owner.container, folded: formatFolded(folded) }];
    });
  }
}
