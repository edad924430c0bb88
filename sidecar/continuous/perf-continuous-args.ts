// The one perf pair of a node's continuous profiling. perf record: every CPU (`-a`), call graphs, the
// frequency of the plan, one `cpu-clock` event per selected container's cgroup (`-e cpu-clock -G <cgroup>`
// pairs: the kernel counts only tasks of those cgroups, so a pod that is not selected is never sampled at
// all), samples timed by the wall clock (`-k CLOCK_REALTIME`, so the agent cuts windows by the samples'
// own times), written to stdout with one page per CPU buffer (`-m 1`: samples reach the reader within a
// few seconds rather than when buffers fill). perf script reads that stream. Pure.
import { PERF_SCRIPT_FIELDS } from '../profilers/perf/perf-script.ts';

export interface ContinuousPerfInput {
  frequency: number;
  /** cgroup paths relative to the cgroup hierarchy's root, as perf's -G takes them. */
  cgroups: readonly string[];
}

export function continuousPerfArgs(input: ContinuousPerfInput): string[] {
  const events = input.cgroups.flatMap((cgroup) => ['-e', 'cpu-clock', '-G', cgroup]);
  return [
    'record',
    // Symbols come from the binaries while the pods run; a build-id cache would only grow.
    '--no-buildid-cache',
    '--no-buildid',
    '-a',
    '-g',
    '-F',
    String(input.frequency),
    '-k',
    'CLOCK_REALTIME',
    '-m',
    '1',
    '-o',
    '-',
    ...events,
  ];
}

/**
 * perf script over perf record's stream, with the agent's copy of the kernel's symbols when there is one.
 * Not through `stdbuf -o 1M` as a recording's: 1 MiB of text is minutes of a window's samples, and the
 * default 4 KiB writes keep the lag at a few seconds.
 */
export function continuousScriptArgs(kallsyms: string | undefined): string[] {
  const args = ['script', '-i', '-', '-F', PERF_SCRIPT_FIELDS];
  if (kallsyms !== undefined) args.push('--kallsyms', kallsyms);
  return args;
}
