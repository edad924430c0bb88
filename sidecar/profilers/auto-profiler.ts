// The `auto` profiler: pprof when the target serves it on the configured port and path (a quick look at
// its index), perf otherwise (with the JVM perf-map step for Java). The status names the one that ran.
import type { PlannedProfile, Profiler } from './profiler.ts';

export interface AutoProfilerDeps {
  pprof: Profiler;
  perf: Profiler;
  /** Whether the target serves pprof, and why (the reason goes into a warning when perf is chosen). */
  probe(params: Parameters<Profiler['plan']>[0]['params']): Promise<{ found: boolean; reason: string }>;
}

export function createAutoProfiler(deps: AutoProfilerDeps): Profiler {
  return {
    async plan(context): Promise<PlannedProfile> {
      const probe = await deps.probe(context.params);
      if (probe.found) return deps.pprof.plan(context);
      const planned = await deps.perf.plan(context);
      return {
        ...planned,
        warnings: [`auto chose perf: no pprof endpoint answered (${probe.reason})`, ...planned.warnings],
      };
    },
  };
}
