// What a recording will do, decided before anything runs: perf's options, how build ids are kept, whether
// the targets' binaries are cached up front, which image gives symbols, and the graph's titles. Pure.
import { FurnaceError } from '../../../core/contract/errors.ts';
import type { CallGraphRun, RecordingParams } from '../../../core/contract/recording-params.ts';
import type { SidecarConfig } from '../../config.ts';
import type { PerfRecordOptions, PerfStopReason } from './perf-runner.ts';
import type { ProcessInfo } from '../../host/process-select.ts';
import type { BuildIdMode } from '../../host/disk-budget.ts';

export type PlanConfig = Pick<
  SidecarConfig,
  'mode' | 'perfPath' | 'maxPerfDataBytes' | 'podNamespace' | 'podName' | 'targets'
>;

/** How recording ended, as the graph's subtitle says it. */
const ENDED_IN_WORDS: Readonly<Record<PerfStopReason, string>> = {
  deadline: 'duration reached',
  stopped: 'stopped on request',
  exited: 'every process exited',
  'size-cap': 'perf.data size cap reached',
  interrupted: 'perf interrupted by a signal',
};

export interface RecordingPlan {
  perf: PerfRecordOptions;
  /** Cache the targets' mapped binaries while they surely run (perf copies nothing with --buildid-mmap). */
  precacheBinaries: boolean;
  /** The image whose files give symbols (`symbols: image`). */
  image?: string;
  title: string;
  name: string;
  subtitle(reason: PerfStopReason): string;
}

export interface PlanInput {
  id: string;
  dir: string;
  params: RecordingParams;
  /** How perf walks the stacks: params.callGraph with `auto` resolved (call-graph/choose-call-graph.ts). */
  callGraph: CallGraphRun;
  targets: readonly ProcessInfo[];
  config: PlanConfig;
  /** perf record takes --buildid-mmap here (probed once at start-up). */
  buildIdMmap: boolean;
}

/**
 * How perf record keeps build ids: in the mmap events when the kernel can (fast stop); else in a pod it
 * copies the sampled binaries into the cache (targets in other mount namespaces take their files along
 * when they exit), and locally it only scans (the files stay readable at their paths).
 */
export function buildIdMode(mode: PlanConfig['mode'], buildIdMmap: boolean): BuildIdMode {
  if (buildIdMmap) return 'mmap';
  return mode === 'pod' ? 'cache' : 'scan';
}

/** The image of the one container the targets run in; `symbols: image` needs exactly one. */
export function imageOf(
  targets: readonly Pick<ProcessInfo, 'container'>[],
  params: RecordingParams,
  config: PlanConfig,
): string {
  const containers = [...new Set(targets.map((p) => p.container))];
  const container = containers[0];
  const image = config.targets.find((t) => t.name === container)?.image;
  if (containers.length === 1 && container !== undefined && image !== undefined && image !== '') return image;
  const found =
    containers.length === 1 && container !== undefined
      ? `container ${container} without an image`
      : `${containers.length} containers`;
  throw new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `symbols "image" needs targets in one container with a known image; found ${found}: set container`,
    {
      field: 'symbols',
      value: params.symbols,
      allowed: 'image only with targets in one container of the pod',
    },
  );
}

/**
 * A start asked ahead (`startAt`): perf starts at once with its events off and switches them on at that
 * instant (epoch ms), so its own start-up is paid before it (aheadOnly drops one that has passed).
 */
function enableAtOf(params: Pick<RecordingParams, 'startAt'>): { enableAt?: number } {
  return params.startAt === undefined ? {} : { enableAt: Date.parse(params.startAt) };
}

/**
 * perf's options as it starts at `now` (epoch ms): an enableAt that has passed by then (planning took longer
 * than the start was asked ahead) is dropped, so perf starts with its events on as any start does.
 */
export function aheadOnly<T extends object>(options: T, now: number): T {
  const { enableAt, ...rest } = options as T & { enableAt?: number };
  return enableAt === undefined || enableAt > now ? options : (rest as T);
}

export function planRecording(input: PlanInput): RecordingPlan {
  const { params, targets, config, dir } = input;
  const buildIds = buildIdMode(config.mode, input.buildIdMmap);
  const where = `${config.podNamespace}/${config.podName}`;
  const processes = targets.map((t) => `${t.comm} (${t.pid})`).join(', ') || 'system-wide';
  const plan: RecordingPlan = {
    perf: {
      perfPath: config.perfPath,
      event: params.event,
      frequency: params.frequency,
      callGraph: input.callGraph,
      pids: targets.map((p) => p.pid),
      systemWide: params.systemWide,
      outputFile: `${dir}/perf.data`,
      buildIdDir: `${dir}/buildid`,
      buildIds,
      durationSeconds: params.durationSeconds,
      maxBytes: config.maxPerfDataBytes,
      ...enableAtOf(params),
    },
    precacheBinaries: config.mode === 'pod' && buildIds === 'mmap',
    title: `Furnace: ${where}`,
    name: `${where} ${input.id}`,
    subtitle: (reason) =>
      `${params.event} at ${params.frequency} Hz, ${params.durationSeconds} s max, ${processes} · ${ENDED_IN_WORDS[reason]}`,
  };
  if (params.symbols === 'image') plan.image = imageOf(targets, params, config);
  return plan;
}
