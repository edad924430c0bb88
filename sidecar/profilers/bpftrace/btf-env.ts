// Where bpftrace finds the kernel's types (BTF), which it needs for a tracepoint's arguments. bpftrace 0.17
// lists the kernel's loaded BTF objects through bpf(BPF_BTF_GET_NEXT_ID), which the kernel allows only with
// CAP_SYS_ADMIN; without it bpftrace has no types and refuses the scheduler program
// (`definitions.h: error: unknown type name 'pid_t'`). Told the file with BPFTRACE_BTF, it reads the kernel's
// own BTF there instead (world-readable in sysfs): the node agent holds CAP_BPF and CAP_PERFMON, not
// CAP_SYS_ADMIN. Module BTF is then left out, which the fixed scheduler program does not use.
import { access } from 'node:fs/promises';

/** The kernel's own BTF, as sysfs shows it (kernels built with CONFIG_DEBUG_INFO_BTF). */
export const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

/** BPFTRACE_BTF for a recorder without CAP_SYS_ADMIN when the file is there and nothing set it; else none. */
export async function bpftraceBtfEnv(
  hasSysAdmin: boolean,
  env: NodeJS.ProcessEnv,
  path = VMLINUX_BTF,
): Promise<Record<string, string>> {
  if (hasSysAdmin || env.BPFTRACE_BTF !== undefined) return {};
  const present = await access(path).then(
    () => true,
    () => false,
  );
  return present ? { BPFTRACE_BTF: path } : {};
}
