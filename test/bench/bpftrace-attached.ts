// Finding the bpftrace process that runs a sched recording (offcpu or wall) and whether its BPF programs are
// attached yet, from /proc: the benchmarks measure only once the recorder records (bpftrace compiles its
// program with LLVM first: seconds on a quiet machine, a minute on a busy one).
import { readdir, readFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinished, type RecordingStatus } from '../../core/contract/recording.ts';
import type { SidecarProcess } from '../process/sidecar-harness.ts';

/** The bpftrace running recording `id` (its program is recordings/<id>/program.bt), from /proc. */
export async function bpftraceOf(id: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`/recordings/${id}/program.bt`)) return Number(entry);
  }
  return undefined;
}

/** The summed run time (ns) and count of the BPF programs a process holds open (fdinfo of its prog fds). */
export async function bpfRunTime(pid: number): Promise<{ ns: number; programs: number }> {
  let ns = 0;
  let programs = 0;
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    if (link !== 'anon_inode:bpf-prog') continue;
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    const runTime = /^run_time_ns:\s+(\d+)$/m.exec(info)?.[1];
    if (runTime === undefined) continue;
    ns += Number(runTime);
    programs++;
  }
  return { ns, programs };
}

/** Waits until recording `id`'s bpftrace holds a BPF program (then half a second more); its PID. */
export async function attachedBpftrace(sidecar: SidecarProcess, id: string): Promise<number> {
  for (let i = 0; i < 1800; i++) {
    const status = (await sidecar.call('GET', `/recordings/${id}`)).json as RecordingStatus;
    if (isFinished(status)) throw new Error(`recording ${id} ended ${status.state}: ${status.error}`);
    const bpftrace = await bpftraceOf(id);
    if (bpftrace !== undefined && (await bpfRunTime(bpftrace)).programs >= 1) {
      await sleep(500);
      return bpftrace;
    }
    await sleep(100);
  }
  throw new Error(`bpftrace attached no programs for recording ${id}`);
}
