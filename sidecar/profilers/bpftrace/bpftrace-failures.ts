// bpftrace's own words on failure → a sentence that says the cause and what to do, with bpftrace's text
// after it for the record. The messages are those of bpftrace 0.17 to 0.21 (Debian 12 and later).

interface Rule {
  test: RegExp;
  explain: string;
}

const NOT_PERMITTED =
  'bpftrace is not permitted to load BPF programs here: it must run as root with CAP_BPF (or CAP_SYS_ADMIN) and CAP_PERFMON, outside a seccomp filter that blocks bpf(); the Furnace sidecar and agent run privileged for this. Run the recorder privileged, or record with profiler perf.';

const RULES: readonly Rule[] = [
  {
    test: /lockdown/i,
    explain:
      'the kernel is in lockdown (Secure Boot), which forbids the BPF features bpftrace needs: record with profiler perf, or boot the node without lockdown.',
  },
  {
    test: /only supports running as the root user|Operation not permitted|Permission denied/i,
    explain: NOT_PERMITTED,
  },
  {
    test: /BTF|kernel headers|vmlinux/i,
    explain:
      "bpftrace found neither the kernel's BTF (/sys/kernel/btf/vmlinux) nor its headers, which its program needs: install the kernel headers on the node or use a kernel built with BTF, or record with profiler perf.",
  },
  {
    test: /Failed to attach|Could not attach|No probes to attach|attach_\w+ failed/i,
    explain:
      'bpftrace could not attach its sampling probe (the kernel refused the perf event behind profile:hz): record with profiler perf, which says more about what the kernel allows.',
  },
  {
    test: /Too many open files|Cannot allocate memory|RLIMIT_MEMLOCK/i,
    explain:
      "bpftrace ran out of a resource limit (open files or locked memory for BPF maps): raise the recorder's limits (ulimit -n, ulimit -l) or record fewer processes.",
  },
];

/** The sentence for a failed bpftrace run: cause and what to do, then bpftrace's own words. */
export function explainBpftraceFailure(failure: {
  exitCode: number | null;
  signal: string | null;
  stderr: string;
}): string {
  const how = failure.signal ?? `exit ${failure.exitCode ?? '?'}`;
  const said = failure.stderr.trim() === '' ? 'no output' : failure.stderr.trim();
  const rule = RULES.find((r) => r.test.test(failure.stderr));
  const bpftrace = `bpftrace failed (${how}): ${said}`;
  return rule === undefined ? bpftrace : `${rule.explain} (${bpftrace})`;
}
