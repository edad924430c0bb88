// Which processes of the node belong to the selected containers, and in which cgroups they run: one pass
// over /proc. The cgroups go to perf's -G (only those tasks are sampled); the PIDs attribute each sample
// to its pod and container. Ownership is read the way agent mode reads it (host/pod-cgroup.ts).
import { readdir, readFile } from 'node:fs/promises';
import type { ContinuousTarget } from '../../core/continuous/continuous-plan.ts';
import { parseProcCgroup } from '../host/pod-cgroup.ts';
import { liveProcDir } from '../host/live-task.ts';

export interface ScannedOwner {
  /** `<pod UID>/<container name>`. */
  key: string;
  target: ContinuousTarget;
  container: string;
}

export interface CgroupScan {
  /** cgroup paths relative to the hierarchy's root, sorted, each once. */
  cgroups: string[];
  /** PID → its selected container. */
  owners: Map<number, ScannedOwner>;
  /** Whether every process was read (else only those that can have changed: `createProcScan`). */
  full?: boolean;
  /** Every PID of /proc at the scan (`createProcScan`). */
  listed?: ReadonlySet<number>;
}

/**
 * The cgroup path perf's -G resolves: the perf_event controller's on cgroup v1, else the v2 line's
 * (`0::/path`); without the leading slash. Undefined when the text has neither.
 */
export function perfCgroupOf(text: string): string | undefined {
  let unified: string | undefined;
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined || controllers === undefined) continue;
    if (controllers.split(',').includes('perf_event')) return path.replace(/^\//, '');
    if (controllers === '') unified = path.replace(/^\//, '');
  }
  return unified === '' ? undefined : unified;
}

/** The owners the plan's targets name, keyed by `<pod UID>/<container ID>`. Pure. */
export function ownersOfPlan(targets: readonly ContinuousTarget[]): Map<string, ScannedOwner> {
  const owners = new Map<string, ScannedOwner>();
  for (const target of targets)
    for (const c of target.containers)
      owners.set(`${target.podUid.toLowerCase()}/${c.id}`, {
        key: `${target.podUid}/${c.name}`,
        target,
        container: c.name,
      });
  return owners;
}

/** One /proc text of a process to the owner and cgroup it has in the plan, if any. Pure. */
export function scanOne(
  text: string,
  owners: ReadonlyMap<string, ScannedOwner>,
): { owner: ScannedOwner; cgroup: string } | undefined {
  const found = parseProcCgroup(text);
  if (found === undefined) return undefined;
  const owner = owners.get(`${found.podUid}/${found.containerId}`);
  const cgroup = owner && perfCgroupOf(text);
  return owner && cgroup ? { owner, cgroup } : undefined;
}

/** Reads /proc (or `procRoot`) once for the plan's targets. */
export async function scanCgroups(
  targets: readonly ContinuousTarget[],
  procRoot = '/proc',
): Promise<CgroupScan> {
  return (await scanPids(targets, procRoot, () => true)).scan;
}

/**
 * A process's /proc cgroup text. Only root paths there is a kernel thread, a process of the root cgroup, or
 * a zombie leader whose other threads live on (main ended with pthread_exit): then a live thread's text.
 */
async function cgroupTextOf(procRoot: string, pid: number): Promise<string> {
  const text = await readFile(`${procRoot}/${pid}/cgroup`, 'utf8').catch(() => '');
  if (!text.split('\n').every((line) => line === '' || line.endsWith(':/'))) return text;
  const dir = await liveProcDir(pid, procRoot);
  if (dir === undefined || dir === `${procRoot}/${pid}`) return text;
  return readFile(`${dir}/cgroup`, 'utf8').catch(() => text);
}

/** Reads the cgroup of the PIDs of /proc that `wanted` picks; also answers every PID listed. */
async function scanPids(
  targets: readonly ContinuousTarget[],
  procRoot: string,
  wanted: (pid: number) => boolean,
): Promise<{ scan: CgroupScan; listed: Set<number> }> {
  const owners = ownersOfPlan(targets);
  const scan: CgroupScan = { cgroups: [], owners: new Map() };
  const listed = new Set<number>();
  if (owners.size === 0) return { scan, listed };
  const cgroups = new Set<string>();
  for (const name of await readdir(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    listed.add(pid);
    if (!wanted(pid)) continue;
    const text = await cgroupTextOf(procRoot, pid);
    const found = scanOne(text, owners);
    if (!found) continue;
    scan.owners.set(pid, found.owner);
    cgroups.add(found.cgroup);
  }
  scan.cgroups = [...cgroups].sort();
  return { scan, listed };
}

/**
 * A scan of /proc that, once it has read every process for some targets, reads again only what can have
 * changed: the processes that were not there at its last call, and `recheck` (the PIDs of the windows
 * about to be sent, in case one was reused). A process keeps its cgroup, so the others need no reading:
 * per window a listing of /proc and a few reads instead of a read of every process of the node. Without
 * `recheck`, or for other targets, it reads every process (the cgroups perf is given come from such a scan).
 */
export function createProcScan(
  procRoot = '/proc',
): (targets: readonly ContinuousTarget[], recheck?: ReadonlySet<number>) => Promise<CgroupScan> {
  let listed = new Set<number>();
  let scannedFor: string | undefined;
  return async (targets, recheck) => {
    const key = JSON.stringify(targets);
    const all = recheck === undefined || key !== scannedFor;
    const wanted = all ? () => true : (pid: number) => !listed.has(pid) || recheck.has(pid);
    const result = await scanPids(targets, procRoot, wanted);
    listed = result.listed;
    scannedFor = key;
    return { ...result.scan, full: all, listed };
  };
}
