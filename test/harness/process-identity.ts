// Which process a PID names. PIDs are reused (pid_max 32768 wraps within an hour on a busy machine), so
// a PID kept after its process exited may name a stranger by the time it is signalled; a PID with the
// start time the kernel gave its process (field 22 of /proc/PID/stat, clock ticks since boot) names one
// process for as long as the machine is up.
import { readFileSync } from 'node:fs';
import { parseStartTicks } from '../../sidecar/host/proc-table.ts';

export interface ProcessIdentity {
  pid: number;
  /** Field 22 (starttime) of /proc/PID/stat when the harness started or found the process. */
  startTime: number;
}

export interface ProcessStat {
  ppid: number;
  startTime: number;
}

/**
 * The parent and start time of a process from /proc/PID/stat; undefined when there is no such process.
 * Fields are counted after the last ')' since the command name (field 2) may hold spaces and parentheses.
 */
export function readStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // From field 3 (state) on: field N is at index N - 3. The start time as the sidecar's process table reads it.
  const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
  const startTime = parseStartTicks(text);
  if (!Number.isInteger(ppid) || startTime === undefined || !Number.isInteger(startTime)) {
    throw new Error(`/proc/${pid}/stat has no parent or start time (fields 4 and 22): ${text.trim()}`);
  }
  return { ppid, startTime };
}

/** The identity of the process that has `pid` now; undefined when there is none. */
export function identify(pid: number): ProcessIdentity | undefined {
  const stat = readStat(pid);
  return stat && { pid, startTime: stat.startTime };
}

/**
 * The identity of `pid` when it is a child of `parent` (as /proc/PID/task/PID/children listed it): read in
 * one go with its parent, so that a child that exited and had its PID reused is not taken for it.
 */
export function identifyChild(parent: number, pid: number | undefined): ProcessIdentity | undefined {
  const stat = pid === undefined ? undefined : readStat(pid);
  return pid !== undefined && stat?.ppid === parent ? { pid, startTime: stat.startTime } : undefined;
}

/**
 * The identity of a process this one has just spawned and not yet reaped (a ChildProcess's pid, read in
 * the same tick as the spawn: Node reaps an exited child only on a later turn of its event loop).
 */
export function identifySpawned(pid: number | undefined, what: string): ProcessIdentity {
  const identity = pid === undefined ? undefined : identify(pid);
  if (!identity) throw new Error(`could not start ${what}: no process ${pid ?? '(no PID)'} in /proc`);
  return identity;
}

/** Whether the process is still there: its PID names a process (a zombie too) with the same start time. */
export function isSameProcess(identity: ProcessIdentity): boolean {
  return readStat(identity.pid)?.startTime === identity.startTime;
}

/**
 * The identity a state file recorded for a process, for stopping it. A file written before start times
 * were kept has none: its PID may name anything by now, so it is not signalled, and that is said on stderr.
 */
export function recordedIdentity(
  what: string,
  pid: number | undefined,
  startTime: number | undefined,
): ProcessIdentity | undefined {
  if (!pid) return undefined;
  if (startTime === undefined) {
    process.stderr.write(
      `${what}: PID ${pid} was recorded without its start time (a state file of an older harness); ` +
        'not signalled, since the PID may name another process by now\n',
    );
    return undefined;
  }
  return { pid, startTime };
}
