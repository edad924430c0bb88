// The one `perf record` of a node's continuous profiling: every CPU (`-a`), call graphs, the frequency of
// the plan, cut into a file per window by `--switch-output=<n>s`, and one `cpu-clock` event per selected
// container's cgroup (`-e cpu-clock -G <cgroup>` pairs): the kernel counts only tasks of those cgroups, so
// a pod that is not selected is never sampled at all. Pure.

/** perf's window files: `perf.data.<YYYYMMDDHHMMSScc>`, renamed from perf.data when a window ends. */
export const WINDOW_FILE = /^perf\.data\.(\d{14,18})$/;

export interface ContinuousPerfInput {
  frequency: number;
  windowSeconds: number;
  /** cgroup paths relative to the cgroup hierarchy's root, as perf's -G takes them. */
  cgroups: readonly string[];
  /** The directory perf writes its window files into. */
  dir: string;
}

export function continuousPerfArgs(input: ContinuousPerfInput): string[] {
  const events = input.cgroups.flatMap((cgroup) => ['-e', 'cpu-clock', '-G', cgroup]);
  return [
    'record',
    // Symbols come from the binaries while the pods run; a build-id cache would grow by every window,
    // and reading each window file for build-ids at every switch costs perf a pass over its samples.
    '--no-buildid-cache',
    '--no-buildid',
    '-a',
    '-g',
    '-F',
    String(input.frequency),
    `--switch-output=${input.windowSeconds}s`,
    '-o',
    `${input.dir}/perf.data`,
    ...events,
  ];
}

/** The window files of a directory listing, oldest first (their names sort by time). */
export function windowFiles(names: readonly string[]): string[] {
  return names.filter((name) => WINDOW_FILE.test(name)).sort();
}
