// What bench:continuous's agent costs, read from /proc: CPU time of a process tree (the agent's node
// process, perf record and each perf script it runs: a child that has exited and been waited for is in
// its parent's cutime and cstime, so the sum never loses one) and the tree's resident memory.
import { readFile } from 'node:fs/promises';
import { childPids } from '../harness/processes.ts';

/** The process and its descendants, as far as they are alive now. */
export async function processTree(pid: number): Promise<number[]> {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(await childPids(all[i] ?? 0)));
  return all;
}

/** utime + stime + cutime + cstime of one process in ms (0 once gone). */
async function ownAndReapedMs(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = text.split(') ')[1]?.split(' ') ?? [];
  // Fields 14 to 17 of proc(5), counted from the state (field 3) here; clock ticks of 10 ms.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0) * 10;
}

/** CPU time of the whole tree so far, in ms. */
export async function treeCpuMs(pid: number): Promise<number> {
  let total = 0;
  for (const p of await processTree(pid)) total += await ownAndReapedMs(p);
  return total;
}

async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
}

/** Resident memory of the tree now, in KiB, and its largest process's name. */
export async function treeRssKiB(pid: number): Promise<number> {
  let total = 0;
  for (const p of await processTree(pid)) total += await statusKiB(p, 'VmRSS');
  return total;
}

/** The node process's own peak (VmHWM), in KiB. */
export const peakRssKiB = (pid: number): Promise<number> => statusKiB(pid, 'VmHWM');

/** Whether a process named `comm` runs in the tree (perf record while a plan has targets). */
export async function runsInTree(pid: number, comm: string): Promise<boolean> {
  for (const p of await processTree(pid)) {
    const name = await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '');
    if (name.trim() === comm && p !== pid) return true;
  }
  return false;
}

/** Samples the tree's resident memory every `everyMs` and keeps the highest. */
export function watchTreeRss(pid: number, everyMs = 500): { peakKiB(): number; stop(): void } {
  let peak = 0;
  const timer = setInterval(() => {
    void treeRssKiB(pid).then((kib) => (peak = Math.max(peak, kib)));
  }, everyMs);
  return { peakKiB: () => peak, stop: () => clearInterval(timer) };
}
