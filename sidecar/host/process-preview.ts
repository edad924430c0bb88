// Which processes a start would record now (GET /processes): the same choice as a start
// (process-select.ts, the request's own client left out), busiest first, capped. Pure: the process table
// and each process's CPU share come in.
import { FurnaceError } from '../../core/contract/errors.ts';
import {
  MAX_PROCESS_MATCHES,
  MAX_SHOWN_CMDLINE,
  type ProcessMatch,
  type ProcessMatches,
} from '../../core/contract/processes.ts';
import {
  selectProcesses,
  type ProcessInfo,
  type SelectionContext,
  type SelectionRequest,
} from './process-select.ts';

/** The processes a start with `request` would choose; none (with the refusal's words) when it would be refused for that. */
export function chooseForPreview(
  processes: readonly ProcessInfo[],
  request: SelectionRequest,
  ctx: SelectionContext,
): { chosen: ProcessInfo[]; reason?: string } {
  try {
    return { chosen: selectProcesses(processes, request, ctx) };
  } catch (error) {
    if (error instanceof FurnaceError && error.code === 'ERR_NO_MATCHING_PROCESS')
      return { chosen: [], reason: error.message };
    throw error;
  }
}

function shown(cmdline: string): string {
  return cmdline.length <= MAX_SHOWN_CMDLINE ? cmdline : `${cmdline.slice(0, MAX_SHOWN_CMDLINE - 1)}…`;
}

/** The answer: the chosen processes with their CPU share (percent of one CPU), busiest first, at most MAX_PROCESS_MATCHES. */
export function describeMatches(
  chosen: readonly ProcessInfo[],
  cpuPercent: ReadonlyMap<number, number>,
  reason?: string,
): ProcessMatches {
  const processes: ProcessMatch[] = chosen.map((p) => ({
    pid: p.pid,
    comm: p.comm,
    cmdline: shown(p.cmdline),
    ...(p.container === undefined ? {} : { container: p.container }),
    cpuPercent: Math.round((cpuPercent.get(p.pid) ?? 0) * 10) / 10,
  }));
  processes.sort((a, b) => b.cpuPercent - a.cpuPercent || a.pid - b.pid);
  return {
    processes: processes.slice(0, MAX_PROCESS_MATCHES),
    total: processes.length,
    ...(reason === undefined ? {} : { reason }),
  };
}

/** CPU ticks spent (user + system) from /proc/PID/stat text, fields 14 and 15. */
export function parseCpuTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** Percent of one CPU from two tick counts `intervalMs` apart (100 ticks a second). */
export function cpuPercentBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  intervalMs: number,
): Map<number, number> {
  const shares = new Map<number, number>();
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (start !== undefined && intervalMs > 0)
      shares.set(pid, Math.max(0, ((end - start) * 1000) / intervalMs));
  }
  return shares;
}
