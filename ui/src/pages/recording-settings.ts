// How a recording was taken, in words: the profiler that ran and the settings that mattered to it. Pure.
import type { CatalogEntry } from '../../../core/contract/recording.ts';

/** Which profiler ran, and that auto chose it; entries from before the choice were perf. */
export function describeProfiler(entry: Pick<CatalogEntry, 'profiler' | 'params'>): string {
  const ran = entry.profiler ?? 'perf';
  if (ran === 'sched')
    return `sched (Furnace's scheduler recorder), profile ${entry.params.profile ?? 'offcpu'}`;
  return entry.params.profiler === 'auto' ? `${ran} (chosen by auto)` : ran;
}

/** How perf walked the stacks: what auto chose and why, or what was asked for. */
export function describeCallGraph(
  entry: Pick<CatalogEntry, 'params' | 'callGraphUsed' | 'callGraphReason'>,
): string {
  const { callGraphUsed: used, callGraphReason: reason } = entry;
  if (used === undefined || entry.params.callGraph !== 'auto') return entry.params.callGraph;
  return reason === undefined ? `${used} (chosen by auto)` : `${used} (chosen by auto: ${reason})`;
}

/** `, processes matching …` and `, PID …`, as the start asked. */
function chosenProcesses(p: CatalogEntry['params']): string {
  return `${p.processPattern ? `, processes matching ${p.processPattern}` : ''}${p.pid ? `, PID ${p.pid}` : ''}`;
}

/** What the recorder measured, for each profiler but pprof (whose endpoint says it). */
function measured(
  entry: Pick<CatalogEntry, 'profiler' | 'params' | 'callGraphUsed' | 'callGraphReason'>,
): string {
  const p = entry.params;
  if (entry.profiler === 'bpftrace' && p.bpftrace !== undefined) {
    const lines = p.bpftrace.program.split('\n').filter((line) => line.trim() !== '').length;
    return `bpftrace program of ${lines} ${lines === 1 ? 'line' : 'lines'}`;
  }
  if (entry.profiler === 'sched')
    return p.profile === 'wall'
      ? `${p.frequency} Hz on-CPU samples and time off the CPU, in nanoseconds`
      : 'time blocked off the CPU, in nanoseconds, by kernel and user stack';
  return `${p.frequency} Hz ${p.event}, call graph ${describeCallGraph(entry)}, symbols from ${p.symbols}`;
}

/** The settings that mattered to the profiler that ran. */
export function describeSettings(
  entry: Pick<CatalogEntry, 'profiler' | 'params' | 'callGraphUsed' | 'callGraphReason'>,
): string {
  const p = entry.params;
  if (entry.profiler === 'pprof' && p.pprof !== undefined) {
    const { kind, scheme, port, path } = p.pprof;
    return `pprof ${kind} from ${scheme}://…:${port}${path}${p.pprof.tls?.secret ? ` with secret ${p.pprof.tls.secret}` : ''}`;
  }
  return `${measured(entry)}${chosenProcesses(p)}`;
}

/** What was recorded, in words: the pattern or PID asked for. */
export function describeSelection(entry: Pick<CatalogEntry, 'params'>): string {
  const p = entry.params;
  if (p.processPattern !== undefined) return `pattern /${p.processPattern}/`;
  if (p.pid !== undefined) return `PID ${p.pid}`;
  return p.container !== undefined ? `container ${p.container}` : 'every process of the pod';
}

/** The processes recorded: `name (PID)`, the first few, and how many more. */
export function describeTargets(entry: Pick<CatalogEntry, 'targets'>, shown = 3): string {
  const targets = entry.targets ?? [];
  if (targets.length === 0) return '—';
  const named = targets.slice(0, shown).map((t) => `${t.comm} (${t.pid})`);
  const more = targets.length - shown;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

/** The outcome in words: done, done with warnings, or failed (the reason is shown beside it). */
export function describeOutcome(entry: Pick<CatalogEntry, 'state' | 'warnings'>): string {
  if (entry.state === 'done' && entry.warnings?.length)
    return `done, ${entry.warnings.length} ${entry.warnings.length === 1 ? 'warning' : 'warnings'}`;
  return entry.state;
}
