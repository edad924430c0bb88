// The node agent's continuous profiling: one `perf record` for every selected container of the node,
// cut into window files by perf itself (--switch-output), each window scripted and collapsed here and
// sent to the server as folded stacks per pod and container. A plan with other containers (or another
// frequency or window length) restarts the one perf; an empty plan runs none. Window files waiting beyond
// `maxPendingWindows` are dropped, oldest first, and counted (the server's metric, through the upload).
import { readdir, rm, stat } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import type {
  ContinuousPlan,
  ContinuousWindowUpload,
  WindowProfile,
} from '../../core/continuous/continuous-plan.ts';
import { EMPTY_PLAN, planKey } from '../../core/continuous/continuous-plan.ts';
import { StackCollapser } from '../../core/stacks/collapse-perf.ts';
import { formatFolded, type FoldedStacks } from '../../core/stacks/folded.ts';
import type { ChildLike, SpawnFn } from '../host/runtime.ts';
import { perfScriptCommand, PERF_SCRIPT_FIELDS } from '../profilers/perf/perf-script.ts';
import type { CgroupScan, ScannedOwner } from './cgroup-scan.ts';
import { continuousPerfArgs, windowFiles } from './perf-continuous-args.ts';
import { splitByOwner } from './window-split.ts';

export interface CollectorDeps {
  spawn: SpawnFn;
  perfPath: string;
  /** perf's window files go here; nothing else may live in it. */
  dir: string;
  node: string;
  scan(targets: ContinuousPlan['targets']): Promise<CgroupScan>;
  upload(window: ContinuousWindowUpload & { dropped: number }): Promise<void>;
  log(message: string, fields?: Record<string, unknown>): void;
  now(): number;
  /** Window files that may wait for processing; more are dropped and counted. */
  maxPendingWindows: number;
  /** A copy of the kernel's symbols for perf script (kernel-symbols.ts); undefined: /proc/kallsyms. */
  kernelSymbols?(): Promise<string | undefined>;
}

interface RunningPerf {
  child: ChildLike;
  exited: Promise<void>;
}

/** How many scans a PID stays known after it was last seen: its samples of a late window still count. */
const OWNER_SCANS_KEPT = 3;
/** After perf failed, the same plan is tried again only this much later (a new plan at once). */
export const PERF_RETRY_MS = 30_000;

export class ContinuousCollector {
  #plan: ContinuousPlan = EMPTY_PLAN;
  #key = '';
  #perf: RunningPerf | undefined;
  #owners = new Map<number, { owner: ScannedOwner; scan: number }>();
  #scans = 0;
  #windowStart = 0;
  #dropped = 0;
  /** The plan perf last failed on, and when it may be tried again. */
  #failed: { key: string; retryAt: number } | undefined;
  /** The plan of the last scan, and whether that scan found every container the plan names. */
  #scanned: { plan: string; complete: boolean } | undefined;

  constructor(private readonly deps: CollectorDeps) {}

  /** Whether a perf runs now (tests and logs). */
  get running(): boolean {
    return this.#perf !== undefined;
  }

  /** Windows dropped since the last upload. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Follows a new plan: rescans the containers, restarts perf when what it samples changed. */
  async apply(plan: ContinuousPlan): Promise<void> {
    this.#plan = plan;
    // The same plan, every container found and perf running: nothing perf samples can have changed
    // (a new container is a new ID, so a new plan), and a poll costs no walk over /proc.
    const unchanged = this.#scanned?.plan === planKey(plan) && this.#scanned.complete;
    if (unchanged && this.#perf !== undefined) return;
    const cgroups = await this.#rescan();
    const key = `${planKey(plan)}|${cgroups.join(',')}`;
    if (key === this.#key && (this.#perf !== undefined || cgroups.length === 0)) return;
    if (key === this.#failed?.key && this.deps.now() < this.#failed.retryAt) return;
    this.#key = key;
    if (this.#perf !== undefined) {
      await this.#stopPerf();
      // The stopped perf's last window, with its own time range, before the next perf starts.
      await this.drain();
    }
    if (cgroups.length > 0) await this.#startPerf(cgroups);
  }

  /** Processes every window perf has finished, oldest first. */
  async drain(): Promise<void> {
    let files = windowFiles(await readdir(this.deps.dir).catch(() => []));
    const excess = files.length - this.deps.maxPendingWindows;
    if (excess > 0) {
      for (const name of files.slice(0, excess)) await rm(`${this.deps.dir}/${name}`, { force: true });
      this.#dropped += excess;
      this.deps.log('continuous profiling dropped windows over its budget', { dropped: excess });
      files = files.slice(excess);
    }
    if (files.length > 0) await this.#rescan();
    for (const name of files) await this.#processWindow(name);
  }

  /** Stops perf and sends what it had. */
  async close(): Promise<void> {
    await this.#stopPerf();
    await this.drain();
  }

  async #rescan(): Promise<string[]> {
    const scan = await this.deps.scan(this.#plan.targets);
    this.#scans += 1;
    const found = new Set([...scan.owners.values()].map((owner) => owner.key));
    const named = this.#plan.targets.flatMap((t) => t.containers.map((c) => `${t.podUid}/${c.name}`));
    this.#scanned = { plan: planKey(this.#plan), complete: named.every((key) => found.has(key)) };
    for (const [pid, owner] of scan.owners) this.#owners.set(pid, { owner, scan: this.#scans });
    for (const [pid, known] of this.#owners)
      if (this.#scans - known.scan >= OWNER_SCANS_KEPT) this.#owners.delete(pid);
    return scan.cgroups;
  }

  async #startPerf(cgroups: string[]): Promise<void> {
    await mkdir(this.deps.dir, { recursive: true });
    const { frequency, windowSeconds } = this.#plan;
    const args = continuousPerfArgs({ frequency, windowSeconds, cgroups, dir: this.deps.dir });
    const child = this.deps.spawn(this.deps.perfPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    const exited = new Promise<void>((resolve) => {
      child.on('error', (error: Error) => {
        this.deps.log('continuous perf could not start', { error: error.message });
        resolve();
      });
      child.on('close', (code: number | null) => {
        if (this.#perf?.child === child) {
          this.deps.log('continuous perf exited', { code, stderr: stderr.slice(-500) });
          this.#perf = undefined;
          this.#failed = { key: this.#key, retryAt: this.deps.now() + PERF_RETRY_MS };
          this.#key = '';
        }
        resolve();
      });
    });
    this.#perf = { child, exited };
    this.#windowStart = this.deps.now();
    this.deps.log('continuous perf started', { containers: cgroups.length, frequency, windowSeconds });
  }

  async #stopPerf(): Promise<void> {
    const perf = this.#perf;
    if (perf === undefined) return;
    this.#perf = undefined;
    // SIGINT: perf writes the window in progress as its last file, which the next drain sends.
    perf.child.kill('SIGINT');
    await perf.exited;
    this.deps.log('continuous perf stopped');
  }

  async #processWindow(name: string): Promise<void> {
    const path = `${this.deps.dir}/${name}`;
    try {
      const end = Math.round((await stat(path)).mtimeMs);
      const start = Math.min(this.#windowStart || end, end);
      this.#windowStart = end;
      const stacks = await this.#script(path);
      const profiles = this.#profilesOf(stacks);
      const dropped = this.#dropped;
      if (profiles.length > 0 || dropped > 0) {
        await this.deps.upload({ node: this.deps.node, start, end, profiles, dropped });
        this.#dropped -= dropped;
      }
    } catch (error) {
      this.#dropped += 1;
      this.deps.log('continuous window was not sent', { window: name, error: (error as Error).message });
    } finally {
      await rm(path, { force: true });
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

  /** perf script of one window, streamed into the collapser with the PID kept in the root frame. */
  async #script(path: string): Promise<FoldedStacks> {
    const kallsyms = await this.deps.kernelSymbols?.();
    const args = ['script', '-i', path, '-F', PERF_SCRIPT_FIELDS];
    if (kallsyms !== undefined) args.push('--kallsyms', kallsyms);
    const command = perfScriptCommand(this.deps.perfPath, args);
    const child = this.deps.spawn(command.command, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.resume();
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code: number | null) => resolve(code));
    });
    const collapser = new StackCollapser({ pid: true, small: true });
    if (child.stdout === null) throw new Error('perf script has no stdout');
    for await (const chunk of child.stdout) collapser.push(chunk as Buffer);
    const code = await exited;
    if (code !== 0) throw new Error(`perf script exited with ${code}`);
    return collapser.end();
  }
}
