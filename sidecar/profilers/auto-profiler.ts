// The `auto` profiler: pprof when the target serves it on the configured port and path (a quick look at
// its index), node when a chosen process is Node.js and its inspector's loopback is the recorder's, perf
// otherwise (with the JVM perf-map step for Java). The status names the one that ran.
import { FurnaceError } from '../../core/contract/errors.ts';
import { isNodeProcess } from './node/node-profiler.ts';
import type { PlannedProfile, Profiler } from './profiler.ts';

export interface AutoProfilerDeps {
  pprof: Profiler;
  perf: Profiler;
  /** The node profiler, where the recorder offers it. */
  node?: Profiler;
  /** Whether the target serves pprof, and why (the reason goes into a warning when perf is chosen). */
  probe(params: Parameters<Profiler['plan']>[0]['params']): Promise<{ found: boolean; reason: string }>;
}

/** The node profiler's plan for Node.js targets; its refusal (another network namespace) as a reason. */
async function planNode(
  node: Profiler | undefined,
  context: Parameters<Profiler['plan']>[0],
): Promise<PlannedProfile | string> {
  if (node === undefined) return 'this recorder has no node profiler';
  if (context.params.profile !== undefined && context.params.profile !== 'cpu')
    return `the node profiler records cpu, not ${context.params.profile}`;
  const targets = await context.chooseTargets();
  if (!targets.some(isNodeProcess)) return 'no Node.js process among the targets';
  try {
    return await node.plan(context);
  } catch (error) {
    if (error instanceof FurnaceError) return error.message;
    throw error;
  }
}

export function createAutoProfiler(deps: AutoProfilerDeps): Profiler {
  return {
    async plan(context): Promise<PlannedProfile> {
      const probe = await deps.probe(context.params);
      if (probe.found) return deps.pprof.plan(context);
      const node = await planNode(deps.node, context);
      if (typeof node !== 'string')
        return { ...node, warnings: [`auto chose node: no pprof endpoint answered (${probe.reason})`] };
      const planned = await deps.perf.plan(context);
      return {
        ...planned,
        warnings: [
          `auto chose perf: no pprof endpoint answered (${probe.reason}); ${node}`,
          ...planned.warnings,
        ],
      };
    },
  };
}
