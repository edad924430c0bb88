// A finished perf recording symbolized again: perf script runs on the perf.data it kept, with a build-id
// cache of its own that the symbol sources fill now (the image's binaries for a `symbols: image` recording,
// pulled again; the namespace's uploads, debuginfod), in a work directory, so nothing of the recording's
// own files changes until the controller moves the new ones in. A recording named from its image whose
// image cannot be had now is not symbolized again: its graphs would lose those names, so they stay as they
// were and the reason is the failure's.
// The binaries that ran are not cached any more: perf maps addresses from perf.data's own records and
// names them from the debug files, which is what a stripped binary's frames need.
import { link, mkdir, rm } from 'node:fs/promises';
import type { DiskBudget } from '../../host/disk-budget.ts';
import type { RunCommand, SpawnFn } from '../../host/runtime.ts';
import type { DebugInfoSource } from '../../symbols/debuginfo-cache.ts';
import type { ImageMount } from '../../symbols/image-symbols.ts';
import type { KernelSymbols } from '../../symbols/kernel-symbols.ts';
import { UPLOADED_DIR } from '../../symbols/uploaded-symbols.ts';
import type { ProfileOutput, ResymbolizeContext } from '../profiler.ts';
import { perfDataSize } from './perf-data-header.ts';
import { scriptRecording } from './perf-script.ts';

export interface PerfResymbolizeDeps {
  perfPath: string;
  maxScriptBytes: number;
  spawn: SpawnFn;
  run: RunCommand;
  budget: Pick<DiskBudget, 'free'>;
  kernelSymbols?: KernelSymbols;
  /** The sources for this recording, their files kept in the work directory. */
  debugInfo?: DebugInfoSource;
  /** The recording's image, pulled and mounted again (`symbols: image`; perf-image.ts). */
  image?: () => Promise<ImageMount | Error>;
  log(message: string, fields?: Record<string, unknown>): void;
}

export async function resymbolizePerf(
  deps: PerfResymbolizeDeps,
  context: ResymbolizeContext,
): Promise<Pick<ProfileOutput, 'stacks' | 'timeline'> | undefined> {
  const data = `${context.dir}/perf.data`;
  if (!((await perfDataSize(data)) ?? 0)) return undefined;
  const { workDir } = context;
  await mkdir(workDir, { recursive: true });
  // perf script reads perf.data beside the files it writes: a link, no copy.
  await link(data, `${workDir}/perf.data`);
  const image = await deps.image?.().catch((error: Error) => error);
  try {
    if (image instanceof Error) throw new Error(`symbols from the image: ${image.message}`);
    return await scriptRecording(
      { spawn: deps.spawn, run: deps.run, report: (event) => context.report(event), budget: deps.budget },
      {
        perfPath: deps.perfPath,
        dir: workDir,
        buildIdDir: `${workDir}/buildid`,
        maxScriptBytes: deps.maxScriptBytes,
        ...(deps.kernelSymbols === undefined ? {} : { kernelSymbols: deps.kernelSymbols }),
        ...(deps.debugInfo === undefined ? {} : { debugInfo: deps.debugInfo }),
        ...(image === undefined ? {} : { imageRoot: image.root }),
      },
    );
  } finally {
    if (image !== undefined && !(image instanceof Error))
      await image
        .cleanup()
        .catch((error: Error) => deps.log('image cleanup failed', { error: error.message }));
    for (const name of ['perf.data', 'buildid', UPLOADED_DIR])
      await rm(`${workDir}/${name}`, { recursive: true, force: true });
  }
}
