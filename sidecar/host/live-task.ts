// Where /proc describes a process. Normally /proc/PID. A process whose main thread has exited (main ended
// with pthread_exit) while its other threads run keeps a zombie leader: /proc/PID/stat says Z, and its
// cmdline, exe, maps and root are empty or gone, mountinfo answers EINVAL, cgroup names the root. The
// process still runs; its live threads' own entries (/proc/PID/task/TID/…) describe it. The reads are
// synchronous: a few small /proc files, which the process table reads at once (proc-table.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** The state letter of /proc/PID/stat text (R, S, D, Z, X, …). */
export function parseProcState(stat: string): string | undefined {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] || undefined;
}

/** A task that has exited: a zombie (Z) or dead (X), or one whose state cannot be read. */
export function isExitedState(state: string | undefined): boolean {
  return state === undefined || state === 'Z' || state === 'X';
}

function stateOf(dir: string): string | undefined {
  try {
    return parseProcState(readFileSync(`${dir}/stat`, 'utf8'));
  } catch {
    return undefined; // the task exited
  }
}

/** The threads of process `pid` other than its leader that still run, at most `limit` of them. */
function liveThreads(procRoot: string, pid: number, limit: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    return []; // the process exited
  }
  const live: number[] = [];
  for (const tid of tasks) {
    if (live.length >= limit) break;
    if (!/^\d+$/.test(tid) || Number(tid) === pid) continue;
    if (!isExitedState(stateOf(`${procRoot}/${pid}/task/${tid}`))) live.push(Number(tid));
  }
  return live;
}

/** The first thread of a zombie leader's process that still runs, as its /proc/PID/task/TID directory. */
function liveThreadDir(procRoot: string, pid: number): string | undefined {
  const [tid] = liveThreads(procRoot, pid, 1);
  return tid === undefined ? undefined : `${procRoot}/${pid}/task/${tid}`;
}

/**
 * The directory whose entries describe process `pid` (cmdline, exe, maps, root, mountinfo, cgroup, ns):
 * `<procRoot>/<pid>`, or a live thread's `<procRoot>/<pid>/task/<tid>` when the leader is a zombie and
 * other threads run. Undefined when the process has exited. `leaderStat` saves a read when the caller has it.
 */
export function liveProcDirSync(pid: number, procRoot = '/proc', leaderStat?: string): string | undefined {
  const leader = `${procRoot}/${pid}`;
  const state = leaderStat === undefined ? stateOf(leader) : parseProcState(leaderStat);
  if (state === 'Z') return liveThreadDir(procRoot, pid);
  return isExitedState(state) ? undefined : leader;
}

/** liveProcDirSync for callers that await it. */
export function liveProcDir(pid: number, procRoot = '/proc'): Promise<string | undefined> {
  return Promise.resolve(liveProcDirSync(pid, procRoot));
}

/** The live directory of `pid`, or `<procRoot>/<pid>` when there is none (reads there then fail as before). */
export async function procDirOf(pid: number, procRoot = '/proc'): Promise<string> {
  return (await liveProcDir(pid, procRoot)) ?? `${procRoot}/${pid}`;
}

/** The most threads of one process whose code mappings are written into perf.data. */
export const MAX_LEADERLESS_THREADS = 4096;

/**
 * For each process in `pids` whose main thread has exited: its live threads and their (shared) maps text,
 * which perf record cannot read itself (it reads the leader's, which are empty; perf-data-mmaps.ts).
 */
export async function leaderlessMaps(
  pids: readonly number[],
  procRoot = '/proc',
): Promise<{ pid: number; threads: number[]; maps: string }[]> {
  const found: { pid: number; threads: number[]; maps: string }[] = [];
  for (const pid of pids) {
    const stat = await readFile(`${procRoot}/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || parseProcState(stat) !== 'Z') continue;
    const threads = liveThreads(procRoot, pid, MAX_LEADERLESS_THREADS);
    const maps = await readFile(`${procRoot}/${pid}/task/${threads[0] ?? pid}/maps`, 'utf8').catch(() => '');
    if (threads.length > 0 && maps !== '') found.push({ pid, threads, maps });
  }
  return found;
}
