// A sidecar in a new PID namespace with a "pod" started beside it, as containers of a pod sharing one
// (shareProcessNamespace): the wrap that startSidecar (test/process/sidecar-harness.ts) takes.

/** Runs the sidecar in a new PID namespace with `pod` (a shell command line) started beside it. */
export function inNewPidNamespace(pod: string): (argv: string[]) => string[] {
  return (argv) => [
    'unshare',
    '--pid',
    '--fork',
    '--mount-proc',
    '--kill-child',
    'sh',
    '-c',
    `${pod} >/dev/null 2>&1 & ${argv.join(' ')} & wait`,
  ];
}
