// Reads the process table from /proc (the thin I/O edge of process-select.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { liveProcDir, liveProcDirSync } from './live-task.ts';
import { cpuPercentBetween, parseCpuTicks } from './process-preview.ts';
import { parseMountinfoContainer, parseProcStatus, type ProcessInfo } from './process-select.ts';

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined; // the process exited or is not ours to read
  }
}

function readOptionalSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited or is not ours to read
  }
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ): 100 on every Linux architecture we run on. */
const TICKS_PER_SECOND = 100;

/** The start time field of /proc/PID/stat (22nd, in ticks since boot); the name may hold spaces and ')'. */
export function parseStartTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** Turns ticks since boot into ms since the epoch, from the uptime read with the table. */
interface BootClock {
  nowMs: number;
  uptimeSeconds: number;
}

/** The uptime and the clock read back to back, so that no wait between them shifts every start time. */
function readBootClock(procRoot: string): BootClock | undefined {
  const uptime = Number(readOptionalSync(`${procRoot}/uptime`)?.split(' ')[0]);
  return Number.isFinite(uptime) ? { nowMs: Date.now(), uptimeSeconds: uptime } : undefined;
}

function startedAtOf(stat: string | undefined, clock: BootClock | undefined): number | undefined {
  if (clock === undefined) return undefined;
  const ticks = stat === undefined ? undefined : parseStartTicks(stat);
  if (ticks === undefined) return undefined;
  return Math.round(clock.nowMs - (clock.uptimeSeconds - ticks / TICKS_PER_SECOND) * 1000);
}

/** Agent mode: the pod UID and container name of a process from its /proc/PID/cgroup text, if in scope. */
export type CgroupOwnerOf = (cgroupText: string) => { podUid: string; container: string } | undefined;

/** `dir` is the process's live /proc directory (live-task.ts): a zombie leader's cgroup names the root. */
function ownerOf(
  dir: string,
  cgroupOwner: CgroupOwnerOf | undefined,
): { podUid: string; container: string } | undefined {
  if (cgroupOwner !== undefined) {
    const cgroup = readOptionalSync(`${dir}/cgroup`);
    return cgroup === undefined ? undefined : cgroupOwner(cgroup);
  }
  const mountinfo = readOptionalSync(`${dir}/mountinfo`);
  return mountinfo === undefined ? undefined : parseMountinfoContainer(mountinfo);
}

interface TableReading {
  procRoot: string;
  withContainers: boolean;
  cgroupOwner: CgroupOwnerOf | undefined;
  clock: BootClock | undefined;
}

function readProcess(reading: TableReading, pid: number): ProcessInfo | undefined {
  const { procRoot, withContainers, cgroupOwner, clock } = reading;
  const status = readOptionalSync(`${procRoot}/${pid}/status`);
  if (status === undefined) return undefined;
  const stat = readOptionalSync(`${procRoot}/${pid}/stat`);
  // A process whose main thread exited is described by a live thread (its leader's entries are empty).
  const dir = liveProcDirSync(pid, procRoot, stat) ?? `${procRoot}/${pid}`;
  const cmdline = readOptionalSync(`${dir}/cmdline`) ?? '';
  const parsed = parseProcStatus(status);
  const info: ProcessInfo = {
    pid,
    ppid: parsed.ppid,
    comm: parsed.comm,
    cmdline: cmdline.replace(/\0+$/, '').split('\0').join(' '),
    nspid: parsed.nspid ?? pid,
  };
  const startedAtMs = startedAtOf(stat, clock);
  if (startedAtMs !== undefined) info.startedAtMs = startedAtMs;
  if (withContainers) {
    const owner = ownerOf(dir, cgroupOwner);
    if (owner !== undefined) Object.assign(info, owner);
  }
  return info;
}

/** Processes read between two turns of the event loop: a pod's in one, a busy node's thousands in a few. */
const PROCESSES_PER_TURN = 128;

/**
 * Every process visible in procRoot; containers are mapped only when asked: from each mountinfo (the
 * kubelet's termination-log mount, in a pod), or with cgroupOwner from each /proc/PID/cgroup (the agent).
 *
 * The files are read synchronously, PROCESSES_PER_TURN processes at a time, so that the table is a
 * snapshot of one moment, the one a start request asked at. Read as promises (three to five files per
 * process, each an open, a read and a close through libuv's four threads, which the disk budget's walk
 * beside a start and every DNS lookup share), the table of 120 processes took 0.5–1.2 s at load 20 on
 * 2 cores, and a process that lived less than that, running when the request came, was gone before its
 * turn; read so, 0.15–0.25 s at that load, a few ms on an idle machine.
 */
export async function readProcessTable(options: {
  procRoot?: string;
  withContainers: boolean;
  cgroupOwner?: CgroupOwnerOf;
}): Promise<ProcessInfo[]> {
  const procRoot = options.procRoot ?? '/proc';
  // Newest first: PIDs grow until they wrap, and a process that started a moment ago is the likeliest to
  // exit before its turn. The table is given back in ascending order, as /proc lists them.
  const pids = readdirSync(procRoot)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => b - a);
  const reading = {
    procRoot,
    withContainers: options.withContainers,
    cgroupOwner: options.cgroupOwner,
    clock: readBootClock(procRoot),
  };
  const table: ProcessInfo[] = [];
  for (let first = 0; first < pids.length; first += PROCESSES_PER_TURN) {
    if (first > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const pid of pids.slice(first, first + PROCESSES_PER_TURN)) {
      const info = readProcess(reading, pid);
      if (info !== undefined) table.push(info);
    }
  }
  return table.reverse();
}

/** True when this process lives in a nested PID namespace (NSpid lists more than one PID). */
export async function isInNestedPidNamespace(procRoot = '/proc'): Promise<boolean> {
  const status = (await readOptional(`${procRoot}/self/status`)) ?? '';
  const line = status.split('\n').find((l) => l.startsWith('NSpid:'));
  return line !== undefined && line.slice(6).trim().split(/\s+/).length > 1;
}

/**
 * True when the process has exited: no /proc entry, or only its zombie (perf cannot attach to either). A
 * zombie leader whose other threads still run is a running process (live-task.ts).
 */
export async function isProcessGone(pid: number, procRoot = '/proc'): Promise<boolean> {
  return (await liveProcDir(pid, procRoot)) === undefined;
}

/**
 * True when this process may not read the process's memory maps (/proc/PID/maps answers EACCES or EPERM:
 * a process of a more privileged or another user namespace, or one that is not dumpable). perf record
 * reads them for every target as it starts, and on such a target it exits 255 without a word.
 */
export async function isMapsUnreadable(pid: number, procRoot = '/proc'): Promise<boolean> {
  try {
    const handle = await open(`${procRoot}/${pid}/maps`, 'r');
    await handle.close();
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM';
  }
}

/** CPU ticks (user + system) each process has spent so far; exited processes are left out. */
export async function readCpuTicks(
  pids: readonly number[],
  procRoot = '/proc',
): Promise<Map<number, number>> {
  const ticks = new Map<number, number>();
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readOptional(`${procRoot}/${pid}/stat`);
      const spent = stat === undefined ? undefined : parseCpuTicks(stat);
      if (spent !== undefined) ticks.set(pid, spent);
    }),
  );
  return ticks;
}

/** Each process's share of one CPU, in percent, over `intervalMs` from now. */
export async function sampleCpuPercent(
  pids: readonly number[],
  intervalMs: number,
  procRoot = '/proc',
): Promise<Map<number, number>> {
  const before = await readCpuTicks(pids, procRoot);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  const after = await readCpuTicks(pids, procRoot);
  return cpuPercentBetween(before, after, performance.now() - started);
}
