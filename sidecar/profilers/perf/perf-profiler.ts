// The perf profiler: perf record on the chosen processes (binaries cached and an image pulled for symbols
// meanwhile), JIT maps copied (a JVM is asked for its map first), then perf script into folded stacks.
import { rm } from 'node:fs/promises';
import type { SidecarConfig } from '../../config.ts';
import { cacheTargetBinaries } from '../../symbols/binary-cache.ts';
import type { DiskBudget } from '../../host/disk-budget.ts';
import type { ImageMount } from '../../symbols/image-symbols.ts';
import type { JitMapOptions } from '../../symbols/jit-maps.ts';
import type { KernelSymbols } from '../../symbols/kernel-symbols.ts';
import { startJitMapPoller } from '../../symbols/jit-map-poller.ts';
import { recorderDebugInfo } from '../../symbols/debuginfo-source.ts';
import { prefetchDebugInfo } from '../../symbols/debuginfo-prefetch.ts';
import type { DebugInfoSource } from '../../symbols/debuginfo-cache.ts';
import { firstOf, UPLOADED_DIR } from '../../symbols/uploaded-symbols.ts';
import { startPerfOnSurvivors, type AttachResult } from './perf-attach.ts';
import { perfScriptCommandFor, scriptRecording } from './perf-script.ts';
import { resymbolizePerf } from './perf-resymbolize.ts';
import { mountRecordingImage, recordedImage } from './perf-image.ts';
import { preparePerfScript, type PreparedScript } from './perf-script-launch.ts';
import { resumePerf } from './perf-resume.ts';
import { checkPerf } from './perf-outcome.ts';
import { planWithinBudget } from './plan-within-budget.ts';
import { createSymbolTree } from './perf-symfs.ts';
import { addMmapEvents, readLeaderlessMappings, type ProcessMaps } from './perf-data-mmaps.ts';
import { chooseCallGraph } from './call-graph/choose-call-graph.ts';
import type { PlanContext, PlannedProfile, ProfileOutput, Profiler, RunContext } from '../profiler.ts';
import type { ProcessInfo } from '../../host/process-select.ts';
import { aheadOnly, type RecordingPlan } from './perf-plan.ts';
import type { LoopTimers, RunCommand, SpawnFn } from '../../host/runtime.ts';

export interface PerfProfilerDeps {
  config: SidecarConfig;
  spawn: SpawnFn;
  run: RunCommand;
  timers: LoopTimers;
  sleep(ms: number): Promise<void>;
  fileSize(path: string): Promise<number>;
  budget: DiskBudget;
  log(message: string, fields?: Record<string, unknown>): void;
  jitMaps?: JitMapOptions;
  /** Whether perf takes --buildid-mmap; a probe still running is awaited by the first plan. */
  buildIdMmap?: boolean | Promise<boolean>;
  /**
   * perf cannot enter the targets' mount namespaces (no CAP_SYS_ADMIN: the node agent): their binaries are
   * copied through /proc/PID/root into a tree perf script reads with --symfs (perf-symfs.ts).
   */
  symbolTree?: boolean;
  /** The copy of the kernel's symbols for perf script; made (or found fresh) as perf starts, checked after. */
  kernelSymbols?: KernelSymbols;
  /** Asks the JVMs among the targets for their perf maps (jvm-perf-map.ts); returns warnings. */
  requestJvmPerfMaps?(targets: readonly ProcessInfo[]): Promise<string[]>;
  /** Whether a target has exited (perf cannot attach to it); without it every target counts as there. */
  isProcessGone?(pid: number): Promise<boolean>;
  /** Whether a target's memory maps may not be read (perf cannot start with it); without it all can be. */
  isMapsUnreadable?(pid: number): Promise<boolean>;
  /** Debug files for stripped binaries; made from the configuration (DEBUGINFOD_URLS) when unset. */
  debugInfo?: DebugInfoSource;
  /**
   * The debug files uploaded to the recording's namespace (symbols/uploaded-symbols.ts), asked before
   * `debugInfo`; `dir` is the recording's own, removed with its other symbol files.
   */
  uploadedSymbols?(recordingId: string, dir: string): DebugInfoSource;
}

interface PendingWork {
  perf: Promise<AttachResult>;
  mount: Promise<ImageMount | Error> | undefined;
  /** Bytes of the targets' binaries left uncached to stay within the disk budget. */
  precached: Promise<number>;
  /** perf script, waiting for the stop (perf-script-launch.ts). */
  script: PreparedScript;
  /** Live threads' maps of the targets whose main thread has exited, read as perf attached. */
  leaderless: Promise<ProcessMaps[]>;
}

export function createPerfProfiler(given: PerfProfilerDeps): Profiler {
  const debugInfo = given.debugInfo ?? recorderDebugInfo(given.config, given.budget);
  const deps = debugInfo === undefined ? given : { ...given, debugInfo };
  return {
    async plan(context: PlanContext): Promise<PlannedProfile> {
      const { params } = context;
      // What the disk budget leaves (a walk of the data directory) is measured while the targets and the call
      // graph are chosen; a start that fails before it is read leaves no rejection unhandled.
      const free = deps.budget.free();
      void free.catch(() => undefined);
      const targets = params.systemWide ? [] : await context.chooseTargets();
      const pids = params.systemWide ? 'system-wide' : targets.map((t) => t.pid);
      const { checked, ...callGraph } = await chooseCallGraph(params.callGraph, pids);
      if (checked !== undefined)
        deps.log('call graph chosen', {
          ...callGraph,
          binaries: checked.map((v) => `${v.name}: ${v.framePointers} (${v.why})`),
        });
      const { plan, warnings } = await planWithinBudget({
        id: context.id,
        dir: context.dir,
        params,
        callGraph: callGraph.used,
        targets,
        config: deps.config,
        buildIdMmap: (await deps.buildIdMmap) === true,
        budget: deps.budget,
        free,
      });
      return {
        profiler: 'perf',
        targets,
        callGraph,
        warnings,
        // plan.perf.enableAt: perf itself begins sampling at a start asked ahead (perf-plan.ts).
        startsOnTime: true,
        run: (run) => startPerf(deps, context, { targets, plan }, run),
      };
    },
    resymbolize: (context) => {
      // A recording named from its image is named from it again (perf-image.ts).
      const image = recordedImage(deps, context, context.workDir);
      return resymbolizePerf(
        {
          ...{ perfPath: deps.config.perfPath, maxScriptBytes: deps.config.limits.maxArtifactBytes },
          ...{ spawn: deps.spawn, run: deps.run, budget: deps.budget },
          log: (message, fields) => deps.log(message, fields),
          ...symbolSources(deps, { id: context.id, dir: context.workDir }),
          ...(image === undefined ? {} : { image }),
        },
        context,
      );
    },
    resume: (context, run) =>
      resumePerf(
        { ...deps, perfPath: deps.config.perfPath, maxScriptBytes: deps.config.limits.maxArtifactBytes },
        context,
        run,
      ),
  };
}

function startPerf(
  deps: PerfProfilerDeps,
  context: PlanContext,
  { targets, plan }: { targets: ProcessInfo[]; plan: RecordingPlan },
  run: RunContext,
): { stop(): void; done: Promise<ProfileOutput> } {
  const { config, timers, budget } = deps;
  const dir = context.dir;
  const perf = startPerfOnSurvivors(
    {
      spawn: deps.spawn,
      timers,
      fileSize: (p) => deps.fileSize(p),
      isGone: (pid) => deps.isProcessGone?.(pid) ?? Promise.resolve(false),
      isUnreadable: (pid) => deps.isMapsUnreadable?.(pid) ?? Promise.resolve(false),
      warn: (message) => run.report({ type: 'warning', message }),
    },
    aheadOnly(plan.perf, timers.now()),
    targets,
  );
  // The recording is dated at the real start of sampling: perf's events on (its ack), at enableAt or later.
  void perf.enabled.then((at) => at !== undefined && run.report({ type: 'sampling', at: new Date(at) }));
  // The kernel's symbols are copied while perf records, not after the stop (perf script only checks them).
  void deps.kernelSymbols?.();
  // So are the debug files of stripped targets (debuginfo-prefetch.ts): the stop finds them in the cache.
  void prefetchDebugInfo(deps.debugInfo, plan.perf.pids);
  // perf.data may grow to its cap while other writers (the binary copies) ask the budget.
  const release = budget.reserve(plan.perf.outputFile, plan.perf.maxBytes);
  void perf.done.finally(release);
  // The image is pulled while perf records, so the script stage does not wait for it.
  const mount =
    plan.image === undefined
      ? undefined
      : mountRecordingImage(deps, plan.image, {
          containerName: `furnace-symbols-${context.id}`,
          workDir: dir,
        });
  const tree = deps.symbolTree === true ? createSymbolTree(`${dir}/symfs`) : undefined;
  const precached =
    plan.precacheBinaries || tree !== undefined
      ? cacheTargetBinaries(deps.run, {
          perfPath: config.perfPath,
          buildIdDir: `${dir}/buildid`,
          workDir: `${dir}/binaries`,
          pids: plan.perf.pids,
          free: () => budget.free(),
          ...(tree === undefined ? {} : { keep: (copy, binary) => tree.place(copy, binary) }),
        })
          .then(({ skippedBytes }) => skippedBytes)
          .catch(() => 0)
      : Promise.resolve(0);
  // perf script's process is made now, while perf records, so that the stop does not wait for a fork.
  const script = preparePerfScript(
    deps.spawn,
    perfScriptCommandFor(config.perfPath, `${dir}/perf.data`, `${dir}/buildid`, tree?.dir),
  );
  // perf reads a target's maps from its main thread, which of some processes has exited (perf-data-mmaps.ts).
  const leaderless = readLeaderlessMappings(plan.perf.pids).catch(() => []);
  const done = finishPerf(
    deps,
    run,
    { id: context.id, dir, targets, plan },
    { perf: perf.done, mount, precached, script, leaderless },
  );
  return { stop: () => perf.stop('stopped'), done };
}

/**
 * The symbol sources perf script takes: the kernel's symbols' copy, and debug files by build id (the
 * namespace's uploads first, then the recorder's debuginfod servers).
 */
function symbolSources(
  deps: PerfProfilerDeps,
  recording: { id: string; dir: string },
): { kernelSymbols?: KernelSymbols; debugInfo?: DebugInfoSource } {
  const uploaded = deps.uploadedSymbols?.(recording.id, `${recording.dir}/${UPLOADED_DIR}`);
  const sources = [uploaded, deps.debugInfo].filter((s): s is DebugInfoSource => s !== undefined);
  return {
    ...(deps.kernelSymbols === undefined ? {} : { kernelSymbols: deps.kernelSymbols }),
    ...(sources.length === 0 ? {} : { debugInfo: sources.length === 1 ? sources[0] : firstOf(sources) }),
  };
}

/** The recording's copies of its targets' binaries and debug files: the build-id cache, the work copies, the --symfs tree. */
async function removeSymbolFiles(dir: string): Promise<void> {
  for (const name of ['buildid', 'binaries', 'symfs', UPLOADED_DIR])
    await rm(`${dir}/${name}`, { recursive: true, force: true });
}

/** Waits for perf, asks JVMs for their maps, runs perf script; always cleans up what it made. */
async function finishPerf(
  deps: PerfProfilerDeps,
  run: RunContext,
  recording: { id: string; dir: string; targets: ProcessInfo[]; plan: RecordingPlan },
  pending: PendingWork,
): Promise<ProfileOutput> {
  const { dir, targets, plan } = recording;
  const maps = await startJitMapPoller(deps.timers, targets, deps.jitMaps);
  let image: ImageMount | Error | undefined;
  try {
    const result = await pending.perf;
    // While the JVMs still run: their maps name what the JIT compiled during the recording.
    const jvmWarnings = (await deps.requestJvmPerfMaps?.(targets)) ?? [];
    await maps.finish();
    for (const message of jvmWarnings) run.report({ type: 'warning', message });
    await completeSymbols(deps, run, pending, { perfData: `${dir}/perf.data`, recorded: result.ok });
    image = await pending.mount;
    if (!result.ok)
      deps.log('perf record failed', {
        exitCode: result.exitCode,
        signal: result.signal,
        stderr: result.stderr,
      });
    checkPerf(deps.config, run, result, { image, cap: plan.perf.maxBytes, event: plan.perf.event });
    const { stacks, timeline } = await scriptRecording(
      {
        spawn: deps.spawn,
        run: deps.run,
        report: (event) => run.report(event),
        budget: deps.budget,
        ...(run.writeTree === undefined ? {} : { writeTree: run.writeTree }),
      },
      {
        perfPath: deps.config.perfPath,
        dir,
        buildIdDir: `${dir}/buildid`,
        maxScriptBytes: deps.config.limits.maxArtifactBytes,
        ...symbolSources(deps, recording),
        prepared: pending.script,
        ...(deps.symbolTree === true ? { symfsDir: `${dir}/symfs` } : {}),
        ...(image === undefined || image instanceof Error ? {} : { imageRoot: image.root }),
      },
    );
    const ended = result.reason === 'deadline' ? 'duration' : result.reason;
    return { stacks, timeline, subtitle: plan.subtitle(result.reason), ended };
  } finally {
    pending.script.cancel();
    await maps.remove();
    await removeSymbolFiles(dir);
    if (image !== undefined && !(image instanceof Error)) {
      await image
        .cleanup()
        .catch((error: Error) => deps.log('image cleanup failed', { dir, error: error.message }));
    }
  }
}

/**
 * Once perf has stopped: a warning for the binaries left uncached, and, in a perf.data perf finished, the
 * code mappings perf could not read (perf-data-mmaps.ts); a failure there costs symbols only.
 */
async function completeSymbols(
  deps: PerfProfilerDeps,
  run: RunContext,
  pending: PendingWork,
  { perfData, recorded }: { perfData: string; recorded: boolean },
): Promise<void> {
  const skipped = await pending.precached;
  if (skipped > 0)
    run.report({
      type: 'warning',
      message: `${skipped} bytes of the targets' binaries were not cached, to stay within the disk budget`,
    });
  const processes = await pending.leaderless;
  if (!recorded || processes.length === 0) return;
  try {
    const added = await addMmapEvents(perfData, processes);
    deps.log('code mappings of processes whose main thread exited added to perf.data', {
      pids: processes.map((p) => p.pid),
      added,
    });
  } catch (error) {
    run.report({
      type: 'warning',
      kind: 'symbols',
      message: `the code mappings of ${processes.map((p) => p.pid).join(', ')} (main thread exited) were not added to perf.data, so their frames stay unnamed: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
