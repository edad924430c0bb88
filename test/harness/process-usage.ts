// What a running process costs, read from /proc (Linux), for the benchmarks.
import { readFile } from 'node:fs/promises';

/** CPU time the process has used so far, user and system together, in ms. */
export async function cpuMs(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  // utime and stime, in clock ticks: 100 per second on Linux.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The process's resident set size in KiB. */
export async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** The resident set and its kinds, in KiB: anonymous (heap, malloc, stacks) and file-backed (node's text). */
export async function rssPartsKiB(pid: number): Promise<{ rss: number; anon: number; file: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') + field('RssShmem') };
}

export interface SchedStat {
  /** ns on a CPU */
  runNs: number;
  /** ns runnable but waiting for a CPU */
  waitNs: number;
  /** times it was given a CPU */
  slices: number;
}

/** The scheduler's account of the process's main thread so far (/proc/PID/schedstat): finer than cpuMs. */
export async function schedStat(pid: number): Promise<SchedStat> {
  const [runNs, waitNs, slices] = (await readFile(`/proc/${pid}/schedstat`, 'utf8'))
    .trim()
    .split(' ')
    .map(Number);
  return { runNs: runNs ?? NaN, waitNs: waitNs ?? NaN, slices: slices ?? NaN };
}
