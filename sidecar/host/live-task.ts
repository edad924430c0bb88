// Where /proc describes a process. Normally /proc/PID. A process whose main thread has exited (main ended
// with pthread_exit) while its other threads run keeps a zombie leader: /proc/PID/stat says Z, and its
// cmdline, exe, maps and root are empty or gone, mountinfo answers EINVAL, cgroup names the root. The
// process still runs; its live threads' own entries (/proc/PID/task/TID/…) describe it.
import { readdir, readFile } from 'node:fs/promises';

/** The state letter of /proc/PID/stat text (R, S, D, Z, X, …). */
export function parseProcState(stat: string): string | undefined {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] || undefined;
}

/** A task that has exited: a zombie (Z) or dead (X), or one whose state cannot be read. */
export function isExitedState(state: string | undefined): boolean {
  return state === undefined || state === 'Z' || state === 'X';
}

async function stateOf(dir: string): Promise<string | undefined> {
  const stat = await readFile(`${dir}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined ? undefined : parseProcState(stat);
}

/** The first thread of a zombie leader's process that still runs, as its /proc/PID/task/TID directory. */
async function liveThreadDir(procRoot: string, pid: number): Promise<string | undefined> {
  const tasks = await readdir(`${procRoot}/${pid}/task`).catch(() => [] as string[]);
  for (const tid of tasks) {
    if (!/^\d+$/.test(tid) || Number(tid) === pid) continue;
    const dir = `${procRoot}/${pid}/task/${tid}`;
    if (!isExitedState(await stateOf(dir))) return dir;
  }
  return undefined;
}

/**
 * The directory whose entries describe process `pid` (cmdline, exe, maps, root, mountinfo, cgroup, ns):
 * `<procRoot>/<pid>`, or a live thread's `<procRoot>/<pid>/task/<tid>` when the leader is a zombie and
 * other threads run. Undefined when the process has exited. `leaderStat` saves a read when the caller has it.
 */
export async function liveProcDir(
  pid: number,
  procRoot = '/proc',
  leaderStat?: string,
): Promise<string | undefined> {
  const leader = `${procRoot}/${pid}`;
  const state = leaderStat === undefined ? await stateOf(leader) : parseProcState(leaderStat);
  if (state === 'Z') return liveThreadDir(procRoot, pid);
  return isExitedState(state) ? undefined : leader;
}

/** The live directory of `pid`, or `<procRoot>/<pid>` when there is none (reads there then fail as before). */
export async function procDirOf(pid: number, procRoot = '/proc'): Promise<string> {
  return (await liveProcDir(pid, procRoot)) ?? `${procRoot}/${pid}`;
}

/**
 * The maps text of a live thread of each process in `pids` whose main thread has exited: what perf record
 * cannot read itself (it reads the leader's, which are empty; perf-data-mmaps.ts).
 */
export async function leaderlessMaps(
  pids: readonly number[],
  procRoot = '/proc',
): Promise<{ pid: number; maps: string }[]> {
  const found: { pid: number; maps: string }[] = [];
  for (const pid of pids) {
    const dir = await liveProcDir(pid, procRoot);
    if (dir === undefined || dir === `${procRoot}/${pid}`) continue;
    const maps = await readFile(`${dir}/maps`, 'utf8').catch(() => '');
    if (maps !== '') found.push({ pid, maps });
  }
  return found;
}
