// perf's own words on failure → a sentence that says the cause and what to do, with perf's text after it
// for the record. perf's messages are the ones of linux-perf 6.x (`perf record` on Debian 12 and later).
import { readFileSync } from 'node:fs';

export interface PerfFailure {
  exitCode: number | null;
  signal: string | null;
  /** The end of perf's stderr. */
  stderr: string;
  /** The event recorded (cpu-clock, cycles, …). */
  event: string;
}

/** kernel.perf_event_paranoid as this machine has it, or undefined when it cannot be read. */
export function perfEventParanoid(path = '/proc/sys/kernel/perf_event_paranoid'): number | undefined {
  try {
    const value = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

interface Rule {
  test: RegExp;
  explain(failure: PerfFailure, paranoid: number | undefined): string;
}

const RULES: readonly Rule[] = [
  {
    // A seccomp filter (a container runtime's default profile) answers perf_event_open with EPERM.
    test: /perf_event_open\(.*\) .*Operation not permitted|Operation not permitted/i,
    explain: () =>
      'perf is not allowed to open perf events here (the kernel or a seccomp filter answered "Operation not permitted"): a container runtime\'s default seccomp profile blocks perf_event_open. Run the Furnace container privileged, or with seccompProfile type Unconfined and the CAP_PERFMON (or CAP_SYS_ADMIN) and CAP_SYS_PTRACE capabilities.',
  },
  {
    test: /perf_event_paranoid|No permission to enable|Access to performance monitoring and observability operations is limited|Permission denied/i,
    explain: (_failure, paranoid) =>
      `perf is not permitted to record these processes: kernel.perf_event_paranoid is ${paranoid ?? 'unknown'}, and this process lacks CAP_PERFMON. Run Furnace as root, or lower the setting: sysctl -w kernel.perf_event_paranoid=1.`,
  },
  {
    test: /event syntax error|not supported|Invalid argument|unknown tracepoint|The (\S+) event is not supported/i,
    explain: (failure) =>
      `the event ${failure.event} is not available on this machine (virtual machines often have no hardware counters): record with Event cpu-clock (event: cpu-clock), which every kernel has.`,
  },
  {
    test: /No such process|Couldn't create thread\/CPU maps/i,
    explain: () =>
      'the process to record exited before perf could attach to it: start the recording while it runs, or choose a longer-lived process.',
  },
  {
    test: /No space left on device|Disk quota exceeded/i,
    explain: () =>
      "perf ran out of disk space for perf.data: free space in the recorder's data directory, or record for less time or at a lower frequency.",
  },
  {
    test: /Too many open files/i,
    explain: () =>
      'perf hit the open-file limit (it needs one file per recorded thread and CPU): raise the limit (ulimit -n) or record fewer processes.',
  },
];

/**
 * The sentence for a failed `perf record`: for a known cause, that cause and what to do, in a sentence of
 * its own (perf's words go to the recorder's log); otherwise perf's own words.
 */
export function explainPerfFailure(failure: PerfFailure, paranoid = perfEventParanoid()): string {
  const rule = RULES.find((r) => r.test.test(failure.stderr));
  if (rule !== undefined) return rule.explain(failure, paranoid);
  const how = failure.signal ?? `exit ${failure.exitCode ?? '?'}`;
  const said = failure.stderr.trim() === '' ? 'no output' : failure.stderr.trim();
  return `perf record failed (${how}): ${said}`;
}
