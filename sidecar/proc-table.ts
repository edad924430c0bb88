// Reads the process table from /proc (the thin I/O edge of process-select.ts).
import { readdir, readFile } from 'node:fs/promises';
import { parseMountinfoContainer, parseProcStatus, type ProcessInfo } from './process-select.ts';

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined; // the process exited or is not ours to read
  }
}

async function readProcess(
  procRoot: string,
  pid: number,
  withContainers: boolean,
): Promise<ProcessInfo | undefined> {
  const status = await readOptional(`${procRoot}/${pid}/status`);
  if (status === undefined) return undefined;
  const cmdline = (await readOptional(`${procRoot}/${pid}/cmdline`)) ?? '';
  const parsed = parseProcStatus(status);
  const info: ProcessInfo = {
    pid,
    ppid: parsed.ppid,
    comm: parsed.comm,
    cmdline: cmdline.replace(/\0+$/, '').split('\0').join(' '),
    nspid: parsed.nspid ?? pid,
  };
  if (withContainers) {
    const mountinfo = await readOptional(`${procRoot}/${pid}/mountinfo`);
    const owner = mountinfo === undefined ? undefined : parseMountinfoContainer(mountinfo);
    if (owner !== undefined) Object.assign(info, owner);
  }
  return info;
}

/** Every process visible in procRoot; containers are mapped only when asked (it reads each mountinfo). */
export async function readProcessTable(options: {
  procRoot?: string;
  withContainers: boolean;
}): Promise<ProcessInfo[]> {
  const procRoot = options.procRoot ?? '/proc';
  const pids = (await readdir(procRoot)).filter((name) => /^\d+$/.test(name)).map(Number);
  const table = await Promise.all(pids.map((pid) => readProcess(procRoot, pid, options.withContainers)));
  return table.filter((p): p is ProcessInfo => p !== undefined);
}

/** True when this process lives in a nested PID namespace (NSpid lists more than one PID). */
export async function isInNestedPidNamespace(procRoot = '/proc'): Promise<boolean> {
  const status = (await readOptional(`${procRoot}/self/status`)) ?? '';
  const line = status.split('\n').find((l) => l.startsWith('NSpid:'));
  return line !== undefined && line.slice(6).trim().split(/\s+/).length > 1;
}
