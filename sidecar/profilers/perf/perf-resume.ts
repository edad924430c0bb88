// Finishing a perf recording from its perf.data after the recorder restarted mid-way. perf runs under
// `setpriv --pdeathsig INT` (perf-runner.ts), so a recorder's death interrupts it as a stop would and it
// writes a whole file; the restarted recorder waits for that file to be complete (perf's header holds the
// data size once perf has finished it), then scripts and collapses it as usual. A perf killed with the
// recorder (the container's OOM kill takes every process in it) leaves perf.data unfinished: it is sealed
// (perf-data-seal.ts) and the recording keeps the samples perf had written out, every second until then.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { LoopTimers, RunCommand, SpawnFn } from '../../host/runtime.ts';
import type { DiskBudget } from '../../host/disk-budget.ts';
import type { ProfilerRun, ResumeContext, RunContext } from '../profiler.ts';
import { scriptRecording } from './perf-script.ts';
import { perfDataSize } from './perf-data-header.ts';
import { addMmapEvents, readLeaderlessMappings } from './perf-data-mmaps.ts';
import { sealPerfData } from './perf-data-seal.ts';
import { ackFifoFor, controlFifoFor } from './perf-record-command.ts';

export interface PerfResumeDeps {
  perfPath: string;
  maxScriptBytes: number;
  spawn: SpawnFn;
  run: RunCommand;
  timers: LoopTimers;
  budget: DiskBudget;
  sleep(ms: number): Promise<void>;
}

/**
 * Waits up to `waitMs` for perf to finish the file (an interrupted perf takes a moment to write it out);
 * then seals what a killed perf left. A warning when the recording keeps only what perf had written.
 */
async function waitForFinishedFile(
  deps: PerfResumeDeps,
  file: string,
  waitMs: number,
): Promise<string | undefined> {
  const until = deps.timers.now() + waitMs;
  for (;;) {
    const size = await perfDataSize(file);
    if (size === undefined) throw new Error('perf.data is missing or is not a perf file');
    if (size > 0) return undefined;
    if (deps.timers.now() >= until) break;
    await deps.sleep(250);
  }
  const killed =
    'perf did not finish perf.data (it was killed with the recorder, before it could write it out)';
  const sealed = await sealPerfData(file);
  if (sealed === undefined || sealed.samples === 0) throw new Error(`${killed}, and it held no samples`);
  return `${killed}; the recording keeps the ${sealed.samples} samples perf had written by then (it writes them out every second)`;
}

/** A run that finishes a perf recording from its directory, or undefined when there is no perf.data to start from. */
export async function resumePerf(
  deps: PerfResumeDeps,
  context: ResumeContext,
  run: RunContext,
): Promise<ProfilerRun | undefined> {
  const file = `${context.dir}/perf.data`;
  if ((await perfDataSize(file)) === undefined) return undefined;
  const { params, targets } = context;
  const processes = targets.map((t) => `${t.comm} (${t.pid})`).join(', ') || 'system-wide';
  const done = (async () => {
    try {
      const sealed = await waitForFinishedFile(deps, file, context.waitMs ?? 20_000);
      if (sealed !== undefined) run.report({ type: 'warning', message: sealed });
      // Targets whose main thread has exited, while they still run: their code mappings (perf-data-mmaps.ts).
      const leaderless = await readLeaderlessMappings(targets.map((t) => t.pid)).catch(() => []);
      if (leaderless.length > 0) await addMmapEvents(file, leaderless).catch(() => 0);
      const { stacks, timeline } = await scriptRecording(
        {
          spawn: deps.spawn,
          run: deps.run,
          report: (event) => run.report(event),
          budget: deps.budget,
          ...(run.writeTree === undefined ? {} : { writeTree: run.writeTree }),
        },
        {
          perfPath: deps.perfPath,
          dir: context.dir,
          buildIdDir: `${context.dir}/buildid`,
          maxScriptBytes: deps.maxScriptBytes,
          // The tree the stopped run left for a recorder without CAP_SYS_ADMIN (perf-symfs.ts).
          ...(existsSync(`${context.dir}/symfs`) ? { symfsDir: `${context.dir}/symfs` } : {}),
        },
      );
      const subtitle = `${params.event} at ${params.frequency} Hz, ${processes} · finished after a restart`;
      return { stacks, timeline, subtitle };
    } finally {
      await rm(`${context.dir}/buildid`, { recursive: true, force: true });
      await rm(`${context.dir}/binaries`, { recursive: true, force: true });
      await rm(`${context.dir}/symfs`, { recursive: true, force: true });
      await rm(controlFifoFor(file), { force: true });
      await rm(ackFifoFor(file), { force: true });
    }
  })();
  return { stop: () => {}, done };
}
