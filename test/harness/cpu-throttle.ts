// Slows a process down with a cgroup v1 CPU quota, so a test can catch it in a stage that otherwise lasts
// a few milliseconds (a recorder's collapse or render) and kill it there. The process keeps running real
// code, only less of the time; children it starts later inherit the quota. The group is removed when the
// test ends (its processes go back to the root group first).
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { eventually } from './eventually.ts';
import { childPids } from './processes.ts';

const CPU_ROOT = '/sys/fs/cgroup/cpu';

export interface CpuThrottle {
  /** Moves the process into the throttled group (its running children stay where they are). */
  add(pid: number): Promise<void>;
  /** Moves a process of the group back to the root group, to run at full speed again. */
  spare(pid: number): Promise<void>;
}

/**
 * A cgroup that lets its processes run `percent` of one CPU. Fails saying what is missing when this machine
 * has no cgroup v1 cpu controller.
 */
export async function cpuThrottle(t: TestContext, percent: number): Promise<CpuThrottle> {
  const dir = `${CPU_ROOT}/furnace-test-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(dir);
  } catch (error) {
    throw new Error(
      `the fault tests throttle processes with the cgroup v1 cpu controller at ${CPU_ROOT}, and could not make a group there: ${(error as Error).message}`,
    );
  }
  const period = 100_000;
  await writeFile(`${dir}/cpu.cfs_period_us`, String(period));
  await writeFile(`${dir}/cpu.cfs_quota_us`, String(Math.max(1000, Math.round((period * percent) / 100))));
  t.after(async () => {
    const pids = (await readFile(`${dir}/cgroup.procs`, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line !== '');
    for (const pid of pids) await writeFile(`${CPU_ROOT}/cgroup.procs`, pid).catch(() => {});
    await rmdir(dir).catch(() => {});
  });
  return {
    add: (pid) => writeFile(`${dir}/cgroup.procs`, String(pid)),
    spare: (pid) => writeFile(`${CPU_ROOT}/cgroup.procs`, String(pid)),
  };
}

/**
 * Moves the recorder's `perf record` of recording `id` out of the throttle, once it is there. Its start is
 * not a stage a kill has to catch, and a perf held to a few percent of a CPU on a loaded machine can begin
 * sampling only after a short recording's deadline: the recording then has no samples, its later stages
 * take no time, and the kill meant for them lands after the end. What the recorder starts later (perf
 * script) stays throttled.
 */
export async function spareRecord(throttle: CpuThrottle, recorderPid: number, id: string): Promise<void> {
  const pid = await eventually(
    async () => {
      // The recorder's descendants: a container's first process may be a wrapper around the recorder.
      for (let pids = await childPids(recorderPid); pids.length > 0;) {
        const next: number[] = [];
        for (const child of pids) {
          const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
          // perf record itself: the perf script waiting beside it (perf-script-launch.ts) names the
          // same perf.data.
          const args = cmdline.split('\0');
          if (args.includes('record') && cmdline.includes(`/${id}/perf.data`)) return child;
          next.push(...(await childPids(child)));
        }
        pids = next;
      }
      return undefined;
    },
    30_000,
    `the perf record of ${id}`,
    5,
  );
  await throttle.spare(pid);
}

/**
 * Moves a process and every descendant it has now back to full speed: once a kill has caught the stage it
 * was slowed for, what it does next (perf script made ahead, uploads, registering again) is not a stage to
 * catch, and at a few percent of a CPU it takes minutes.
 */
export async function spareTree(throttle: CpuThrottle, pid: number): Promise<void> {
  for (let pids = [pid]; pids.length > 0;) {
    const next: number[] = [];
    for (const each of pids) {
      // A process that has gone meanwhile has nothing to spare.
      await throttle.spare(each).catch(() => {});
      next.push(...(await childPids(each)));
    }
    pids = next;
  }
}
