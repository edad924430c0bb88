// Furnace's own scheduler program (profiles offcpu and wall), as bpftrace runs it: fixed text with only
// numbers filled in, so the user who asks for it needs no permission to run programs of their own. Pure.
//
// One probe on sched:sched_switch does both halves, so each switch of the node runs one BPF program:
// - leaving: when a chosen thread leaves the CPU (offcpu: blocked, sched_switch's prev_state says S, D, T,
//   t, P or I, not preempted; wall: any switch but an exit), one map entry keeps the time and its kernel and
//   user stacks. The test is the scope filter (core/bpftrace/scope.ts: the pod's PID namespaces, or the
//   chosen PIDs) first, then the state, so no other pod's thread is ever kept.
// - returning: when the next thread (not the idle task) has an entry, the time it was away is added to its
//   stacks, if at least the minimum, and the entry goes.
// The stacks have to be taken when the thread leaves: nothing runs in the returning thread's own context
// after the switch. bpftrace 0.17 has no raw tracepoints, and on the test machine's kernel (built without
// CONFIG_KPROBES) there is no kprobe on finish_task_switch and bpftrace finds no kfunc support. The stack
// walks are most of the cost (docs/profilers.md).
// wall: plus on-CPU samples at the recording's frequency, each worth one period, in the same map: one unit,
// nanoseconds, for both.
import { scopeFilter, type BpftraceScope } from '../../../core/bpftrace/scope.ts';

/** The map of stacks each type fills, by its name in bpftrace's output. */
export const SCHED_MAPS = { offcpu: '@offcpu', wall: '@wall' } as const;
export type SchedProfile = keyof typeof SCHED_MAPS;

export interface SchedProgramOptions {
  profile: SchedProfile;
  scope: BpftraceScope;
  /** Times away from the CPU shorter than this are not counted, ns. */
  minBlockedNs: number;
  /** On-CPU samples a second (wall). */
  frequency: number;
}

/** prev_state bits of a task that blocked (S D T t P I); 0x100 is a preemption, 0x10 and 0x20 an exit. */
const BLOCKED_STATES = '0xcf';
const EXITING_STATES = '0x30';

function positive(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${what} ${value} is not a positive integer`);
  return value;
}

export function schedProgram(options: SchedProgramOptions): string {
  const filter = scopeFilter(options.scope);
  const map = SCHED_MAPS[options.profile];
  const minNs = positive('minimum blocked time', options.minBlockedNs);
  const leaving =
    options.profile === 'offcpu'
      ? `(args->prev_state & ${BLOCKED_STATES}) != 0`
      : `(args->prev_state & ${EXITING_STATES}) == 0`;
  const lines = [
    'tracepoint:sched:sched_switch {',
    `  if (( ${filter} ) && ( ${leaving} )) { @away[tid] = (nsecs, kstack, ustack); }`,
    '  $next = args->next_pid;',
    '  if ($next != 0) {',
    '    $left = @away[$next];',
    '    if ($left.0 != 0) {',
    '      delete(@away[$next]);',
    '      $ns = nsecs - $left.0;',
    `      if ($ns >= ${minNs}) { ${map}[args->next_comm, $left.1, $left.2] = sum($ns); }`,
    '    }',
    '  }',
    '}',
  ];
  if (options.profile === 'wall') {
    const frequency = positive('frequency', options.frequency);
    const period = Math.round(1e9 / frequency);
    lines.push(`profile:hz:${frequency} / ${filter} / { ${map}[comm, kstack, ustack] = sum(${period}); }`);
  }
  // Threads still away at the end were never counted: their entries are not printed.
  lines.push('END { clear(@away); }');
  return `${lines.join('\n')}\n`;
}
