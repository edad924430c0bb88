// How a recording was taken, in words: the profiler that ran and the settings that mattered to it. Pure.
import type { CatalogEntry } from '../../../core/contract/recording.ts';

/** Which profiler ran, and that auto chose it; entries from before the choice were perf. */
export function describeProfiler(entry: Pick<CatalogEntry, 'profiler' | 'params'>): string {
  const ran = entry.profiler ?? 'perf';
  return entry.params.profiler === 'auto' ? `${ran} (chosen by auto)` : ran;
}

/** The settings that mattered to the profiler that ran. */
export function describeSettings(entry: Pick<CatalogEntry, 'profiler' | 'params'>): string {
  const p = entry.params;
  if (entry.profiler === 'pprof' && p.pprof !== undefined) {
    const { kind, scheme, port, path } = p.pprof;
    return `pprof ${kind} from ${scheme}://…:${port}${path}${p.pprof.tls?.secret ? ` with secret ${p.pprof.tls.secret}` : ''}`;
  }
  if (entry.profiler === 'bpftrace' && p.bpftrace !== undefined) {
    const lines = p.bpftrace.program.split('\n').filter((line) => line.trim() !== '').length;
    return [
      `bpftrace program of ${lines} ${lines === 1 ? 'line' : 'lines'}`,
      p.processPattern ? `, processes matching ${p.processPattern}` : '',
      p.pid ? `, PID ${p.pid}` : '',
    ].join('');
  }
  return [
    `${p.frequency} Hz ${p.event}, call graph ${p.callGraph}, symbols from ${p.symbols}`,
    p.processPattern ? `, processes matching ${p.processPattern}` : '',
    p.pid ? `, PID ${p.pid}` : '',
  ].join('');
}
