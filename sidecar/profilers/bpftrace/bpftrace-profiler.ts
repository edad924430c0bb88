// The bpftrace profiler: the user's program scoped to the targets' PID namespaces (or, in the host's own
// namespace, their PIDs), run for the recording's duration, its output kept as bpftrace.txt, and its
// stack-keyed count maps folded into stacks like any other profile. Scoping happens at plan time, so a
// program the scoper refuses answers the start request and nothing runs.
import { explainBpftraceFailure } from './bpftrace-failures.ts';
import { createReadStream } from 'node:fs';
import { readlink, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BpftraceMapFolder } from '../../../core/bpftrace/maps.ts';
import {
  INIT_PID_NAMESPACE,
  scopeBpftraceProgram,
  type BpftraceScope,
} from '../../../core/bpftrace/scope.ts';
import { FurnaceError } from '../../../core/contract/errors.ts';
import type { SidecarConfig } from '../../config.ts';
import { outputFileCap, type DiskBudget } from '../../host/disk-budget.ts';
import type { ProcessInfo } from '../../host/process-select.ts';
import type {
  PlanContext,
  PlannedProfile,
  ProfileOutput,
  Profiler,
  ProfilerRun,
  RunContext,
} from '../profiler.ts';
import { readCgroupId, type CgroupIdResult } from './cgroup-ids.ts';
import { startBpftrace, type BpftraceRun, type BpftraceRunResult } from './bpftrace-runner.ts';
import type { LoopTimers, RunCommand, SpawnFn } from '../../host/runtime.ts';
import { ensureTracefs, mountCgroup2 } from './kernel-mounts.ts';

export interface BpftraceProfilerDeps {
  config: Pick<SidecarConfig, 'bpftracePath' | 'maxPerfDataBytes'>;
  spawn: SpawnFn;
  timers: LoopTimers;
  budget: DiskBudget;
  /** The inode number of a process's PID namespace; by default read from /proc/PID/ns/pid. */
  pidNamespaceOf?: (pid: number) => Promise<number>;
  /** A process's cgroup v2 ID, or why it has none; by default from /proc (cgroup-ids.ts). */
  cgroupIdOf?: (pid: number) => Promise<CgroupIdResult>;
  /** Runs `mount` for tracefs and a cgroup2 view when the recorder's container lacks them (kernel-mounts.ts). */
  run?: RunCommand;
}

/** A process's cgroup v2 ID as the recorder finds it, mounting a cgroup2 view of its own if it must. */
export function cgroupIdReader(
  deps: Pick<BpftraceProfilerDeps, 'cgroupIdOf' | 'run'>,
): (pid: number) => Promise<CgroupIdResult> {
  if (deps.cgroupIdOf !== undefined) return deps.cgroupIdOf;
  const { run } = deps;
  return (pid) => readCgroupId(pid, '/proc', run && (() => mountCgroup2(run)));
}

/** Reads /proc/PID/ns/pid, a link such as `pid:[4026532183]`. */
export async function readPidNamespace(pid: number, procRoot = '/proc'): Promise<number> {
  const link = await readlink(`${procRoot}/${pid}/ns/pid`);
  const inode = /^pid:\[(\d+)\]$/.exec(link)?.[1];
  if (inode === undefined) throw new Error(`${procRoot}/${pid}/ns/pid is ${link}, not a PID namespace`);
  return Number(inode);
}

/** A scope and, when it could not be narrowed to the targets' cgroups though they are in a pod, why not. */
export interface TargetScope {
  scope: BpftraceScope;
  warning?: string;
}

/**
 * The targets' PID namespaces (targets in the host's own namespace count by their PIDs instead), narrowed to
 * the targets' cgroup v2 IDs when every target has one: a pod's other containers share its PID namespace.
 */
export async function scopeOfTargets(
  targets: readonly ProcessInfo[],
  pidNamespaceOf: (pid: number) => Promise<number>,
  cgroupIdOf: (pid: number) => Promise<CgroupIdResult> = (pid) => readCgroupId(pid),
): Promise<TargetScope> {
  const namespaces = await Promise.all(targets.map((t) => pidNamespaceOf(t.pid)));
  const pids = targets.filter((_, i) => namespaces[i] === INIT_PID_NAMESPACE).map((t) => t.pid);
  const pidNamespaces = namespaces.filter((ns) => ns !== INIT_PID_NAMESPACE);
  const cgroups = await Promise.all(targets.map((t) => cgroupIdOf(t.pid)));
  const missing = cgroups.find((c): c is { reason: string } => 'reason' in c);
  if (missing === undefined && cgroups.length > 0) {
    const cgroupIds = cgroups.map((c) => ('id' in c ? c.id : 0));
    return { scope: { pidNamespaces, pids, cgroupIds } };
  }
  const scope = { pidNamespaces, pids };
  // Targets by PID (the host's namespace) are exact already; a pod's PID namespace holds all its containers.
  if (missing === undefined || pidNamespaces.length === 0) return { scope };
  return {
    scope,
    warning: `scoped to the pod's PID namespace, not to the targets' cgroups: ${missing.reason}`,
  };
}

async function foldOutput(path: string): Promise<BpftraceMapFolder> {
  const folder = new BpftraceMapFolder();
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) folder.push(line);
  return folder;
}

function checkResult(run: RunContext, result: BpftraceRunResult, maxBytes: number): void {
  if (!result.ok) {
    throw new Error(explainBpftraceFailure(result));
  }
  run.report({ type: 'artifact', name: 'bpftrace.txt' });
  if (result.reason === 'size-cap')
    run.report({
      type: 'warning',
      message: `bpftrace's output reached its size cap (${maxBytes} bytes): the program was stopped early`,
    });
  if (result.stderr !== '') run.report({ type: 'warning', message: `bpftrace: ${result.stderr}` });
}

export interface BpftracePlan {
  /** The program as bpftrace runs it: the user's, printed back with the scope's filter (or the recorder's own). */
  scoped: string;
  /** Bytes of output kept (bpftrace.txt's cap). */
  maxBytes: number;
  targets: readonly ProcessInfo[];
  /** What the graph's subtitle calls the recording; `bpftrace` for a user's program. */
  title: string;
  env?: NodeJS.ProcessEnv;
  /** Looks at the folded output before it becomes the profile (a bounded map that filled up). */
  inspect?: (folder: BpftraceMapFolder, run: RunContext) => void;
}

/** Runs the scoped program; `stop` ends it early (bpftrace prints its maps then, and they are kept). */
export function runBpftrace(
  deps: Omit<BpftraceProfilerDeps, 'pidNamespaceOf'>,
  context: PlanContext,
  plan: BpftracePlan,
  run: RunContext,
): ProfilerRun {
  let bpftrace: BpftraceRun | undefined;
  let stopped = false;
  const { durationSeconds } = context.params;
  const done = (async (): Promise<ProfileOutput> => {
    const programFile = `${context.dir}/program.bt`;
    await writeFile(programFile, plan.scoped);
    const outputFile = `${context.dir}/bpftrace.txt`;
    const release = deps.budget.reserve(outputFile, plan.maxBytes);
    let result: BpftraceRunResult;
    try {
      bpftrace = startBpftrace(
        { spawn: deps.spawn, timers: deps.timers },
        {
          bpftracePath: deps.config.bpftracePath,
          programFile,
          outputFile,
          durationSeconds,
          maxBytes: plan.maxBytes,
          ...(plan.env === undefined ? {} : { env: plan.env }),
        },
      );
      // A stop that came while the program was written: bpftrace still prints what it attached.
      if (stopped) bpftrace.stop('stopped');
      result = await bpftrace.done;
    } finally {
      release();
    }
    checkResult(run, result, plan.maxBytes);
    const folder = await foldOutput(outputFile);
    plan.inspect?.(folder, run);
    const stacks = folder.result();
    const processes = plan.targets.map((t) => `${t.comm} (${t.pid})`).join(', ');
    return {
      // A program that only counts or prints has no stacks: bpftrace.txt is all it gives.
      stacks: stacks.size === 0 ? undefined : stacks,
      subtitle: `${plan.title}, ${durationSeconds} s max, ${processes} · ${result.reason}`,
    };
  })();
  return {
    stop: () => {
      stopped = true;
      bpftrace?.stop('stopped');
    },
    done,
  };
}

export function createBpftraceProfiler(deps: BpftraceProfilerDeps): Profiler {
  return {
    async plan(context: PlanContext): Promise<PlannedProfile> {
      const program = context.params.bpftrace?.program;
      if (program === undefined)
        throw new FurnaceError(
          'ERR_INVALID_PARAMETER',
          'bpftrace.program is required with profiler bpftrace',
          {
            field: 'bpftrace.program',
          },
        );
      const targets = await context.chooseTargets();
      const { scope, warning } = await scopeOfTargets(
        targets,
        deps.pidNamespaceOf ?? ((pid) => readPidNamespace(pid)),
        cgroupIdReader(deps),
      );
      const scoped = scopeBpftraceProgram(program, scope);
      // A program with tracepoints needs tracefs; one without does not, so a failure is bpftrace's to tell.
      if (deps.run !== undefined) await ensureTracefs(deps.run);
      const maxBytes = await outputFileCap(deps.budget, deps.config.maxPerfDataBytes);
      const plan = { scoped, maxBytes, targets, title: 'bpftrace' };
      return {
        profiler: 'bpftrace',
        targets,
        warnings: warning === undefined ? [] : [warning],
        run: (run) => runBpftrace(deps, context, plan, run),
      };
    },
  };
}
