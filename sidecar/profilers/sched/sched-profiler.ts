// Profiler `sched`: Furnace's own off-CPU and wall-clock recorder (profiles offcpu and wall). It runs the
// fixed scheduler program (sched-program.ts) with bpftrace, scoped like a user's bpftrace program to the
// targets' PID namespaces (or, in the host's own namespace, their PIDs) inside the kernel; the map of stacks
// is bounded, and a warning says when it filled up. Its stacks are weighted by nanoseconds.
import type { SidecarConfig } from '../../config.ts';
import { outputFileCap } from '../../host/disk-budget.ts';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { isSchedulerProfile } from '../../../core/contract/profile-types.ts';
import type { BpftraceMapFolder } from '../../../core/bpftrace/maps.ts';
import type { PlanContext, PlannedProfile, Profiler, RunContext } from '../profiler.ts';
import { ensureTracefs } from '../bpftrace/kernel-mounts.ts';
import {
  cgroupIdReader,
  readPidNamespace,
  runBpftrace,
  scopeOfTargets,
  type BpftraceProfilerDeps,
} from '../bpftrace/bpftrace-profiler.ts';
import { SCHED_MAPS, schedProgram, type SchedProfile } from './sched-program.ts';

/** Times away from the CPU shorter than this are not counted: 10 µs. */
export const DEFAULT_MIN_BLOCKED_NS = 10_000;
/** Entries each of the program's maps may hold (distinct stacks; threads away at once). */
export const DEFAULT_MAX_STACKS = 10_240;

export interface SchedProfilerDeps extends Omit<BpftraceProfilerDeps, 'config'> {
  config: BpftraceProfilerDeps['config'] & Pick<SidecarConfig, 'schedMaxStacks' | 'schedMinBlockedNs'>;
  /** The recorder's environment, which bpftrace gets with its map bound added. */
  env: NodeJS.ProcessEnv;
}

const TITLES: Readonly<Record<SchedProfile, string>> = {
  offcpu: 'off-CPU time',
  wall: 'wall-clock time',
};

/** The warning when the map of stacks filled up (stacks first seen after that were not counted); else none. */
export function boundWarning(
  profile: SchedProfile,
  maxStacks: number,
  folder: Pick<BpftraceMapFolder, 'entriesOf'>,
): string | undefined {
  if (folder.entriesOf(SCHED_MAPS[profile]) < maxStacks) return undefined;
  return `the ${profile} map of stacks reached its bound of ${maxStacks} entries: time in stacks first seen after that was not counted (record fewer processes or for a shorter time)`;
}

function checkBound(profile: SchedProfile, maxStacks: number) {
  return (folder: BpftraceMapFolder, run: RunContext): void => {
    const message = boundWarning(profile, maxStacks, folder);
    if (message !== undefined) run.report({ type: 'warning', message });
  };
}

export function createSchedProfiler(deps: SchedProfilerDeps): Profiler {
  const minBlockedNs = deps.config.schedMinBlockedNs ?? DEFAULT_MIN_BLOCKED_NS;
  const maxStacks = deps.config.schedMaxStacks ?? DEFAULT_MAX_STACKS;
  return {
    async plan(context: PlanContext): Promise<PlannedProfile> {
      const profile = context.params.profile;
      if (profile === undefined || !isSchedulerProfile(profile))
        throw new FurnaceError(
          'ERR_INVALID_PARAMETER',
          `profiler sched records offcpu and wall, not ${profile}`,
          {
            field: 'profile',
            value: profile,
          },
        );
      const schedProfile = profile as SchedProfile;
      const targets = await context.chooseTargets();
      const { scope, warning } = await scopeOfTargets(
        targets,
        deps.pidNamespaceOf ?? ((pid) => readPidNamespace(pid)),
        cgroupIdReader(deps),
      );
      // The program attaches to sched:sched_switch, whose format bpftrace reads in tracefs.
      const tracefs = deps.run === undefined ? undefined : await ensureTracefs(deps.run);
      if (tracefs !== undefined)
        throw new FurnaceError(
          'ERR_UNAVAILABLE',
          `profile ${schedProfile} cannot be recorded here: ${tracefs}`,
          {
            field: 'profile',
            value: schedProfile,
          },
        );
      const program = schedProgram({
        profile: schedProfile,
        scope,
        minBlockedNs,
        frequency: context.params.frequency,
      });
      const maxBytes = await outputFileCap(deps.budget, deps.config.maxPerfDataBytes);
      const plan = {
        scoped: program,
        maxBytes,
        targets,
        title: `${TITLES[schedProfile]} (≥ ${minBlockedNs / 1000} µs away)`,
        env: { ...deps.env, BPFTRACE_MAP_KEYS_MAX: String(maxStacks) },
        inspect: checkBound(schedProfile, maxStacks),
      };
      return {
        profiler: 'sched',
        targets,
        warnings: warning === undefined ? [] : [warning],
        run: (run) => runBpftrace(deps, context, plan, run),
      };
    },
  };
}
