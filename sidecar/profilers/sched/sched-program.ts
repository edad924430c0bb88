// Furnace's own scheduler program (profiles offcpu and wall), as bpftrace runs it: fixed text with only
// numbers filled in, so the user who asks for it needs no permission to run programs of their own. Pure.
//
// offcpu: when a chosen thread leaves the CPU blocked (sched_switch's prev_state says S, D, T, t, P or I,
// not preempted), its kernel and user stacks and the time are kept by thread; when the scheduler switches
// back to that thread, the time it was away is added to the map of stacks, if it was at least the minimum.
// The first probe carries the scope filter (core/bpftrace/scope.ts: the pod's PID namespaces, or the chosen
// PIDs), so no other pod's thread is ever kept; the second only finishes what the first kept.
// wall: the same for every switch away (waiting for a CPU counts as wall time too), plus on-CPU samples at
// the recording's frequency, each worth one period, in the same map: one unit, nanoseconds, for both.
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
    `tracepoint:sched:sched_switch / ( ${filter} ) && ( ${leaving} ) / {`,
    '  @since[tid] = nsecs; @kstacks[tid] = kstack; @ustacks[tid] = ustack;',
    '}',
    'tracepoint:sched:sched_switch {',
    '  $next = args->next_pid; $since = @since[$next];',
    '  if ($since != 0) {',
    `    $away = nsecs - $since;`,
    `    if ($away >= ${minNs}) { ${map}[args->next_comm, @kstacks[$next], @ustacks[$next]] = sum($away); }`,
    '    delete(@since[$next]); delete(@kstacks[$next]); delete(@ustacks[$next]);',
    '  }',
    '}',
  ];
  if (options.profile === 'wall') {
    const frequency = positive('frequency', options.frequency);
    const period = Math.round(1e9 / frequency);
    lines.push(`profile:hz:${frequency} / ${filter} / { ${map}[comm, kstack, ustack] = sum(${period}); }`);
  }
  // Threads still away at the end were never counted: their half-kept entries are not printed.
  lines.push('END { clear(@since); clear(@kstacks); clear(@ustacks); }');
  return `${lines.join('\n')}\n`;
}
