// Why a graph may look empty or unnamed, read from its folded stacks: no samples (the processes were idle),
// frames no binary names (stripped, or code compiled at run time without a perf map), and stacks that stop
// before main (no frame pointers). Each finding is a sentence that says the cause and what to do; the
// recording carries them as warnings, so the recording page, History and the CLI show them.
import { totalSamples, type FoldedStacks } from './folded.ts';
import { ADDRESS_FRAME, UNNAMED_FRAME } from './unnamed-frame.ts';

export interface DiagnoseContext {
  durationSeconds: number;
  frequency: number;
  /** How perf walked the stacks; stacks cut short are only a finding with frame pointers. */
  callGraph?: 'fp' | 'dwarf';
  /** The recorded processes' names, for the sentences. */
  processes: readonly string[];
  /**
   * Set for profiles offcpu and wall: stacks weighted by nanoseconds, walked by frame pointers only (the
   * scheduler recorder has no dwarf), user frames that bpftrace could not name left as addresses.
   */
  timed?: 'offcpu' | 'wall';
}

/** A finding is reported once it covers this share of the samples. */
const NOTABLE_SHARE = 0.1;
/** Stacks that stop early are reported once they are this share of the samples. */
const CUT_SHARE = 0.5;
/** Fewer samples than this share of one busy CPU's is "mostly idle". */
const IDLE_SHARE = 0.05;

/** Where a walk up a complete stack ends: a program's start, a thread's start, a runtime's entry. */
export const ROOT_FRAME =
  /^(main|_start|__libc_start_main\S*|__libc_start_call_main|start_thread|clone3?|__clone\S*|thread_start|ret_from_fork\S*|runtime\.(main|goexit\S*|mstart\S*)|node::Start|JavaMain|thread_native_entry)$/;
const JIT_MAP = /^perf-\d+\.map$/;

function percent(share: number): string {
  return `${share >= 0.995 ? 100 : Math.max(1, Math.round(share * 100))} %`;
}

function who(context: DiagnoseContext): string {
  const names = [...new Set(context.processes)];
  if (names.length === 0) return 'the recorded processes';
  return names.length <= 3
    ? names.join(', ')
    : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

function idleFindings(total: number, context: DiagnoseContext): string[] {
  const busy = context.durationSeconds * context.frequency;
  if (total === 0)
    return [
      `no samples: ${who(context)} did not run on a CPU while recording (idle: sleeping, or waiting for I/O, a lock or a timer). A CPU profile shows only time on a CPU; record while the process is busy.`,
    ];
  if (total >= busy * IDLE_SHARE) return [];
  return [
    `${who(context)} ran on a CPU only ${percent(total / busy)} of the time (${total} samples in ${context.durationSeconds} s at ${context.frequency} Hz): mostly idle, so the graph has little to show. Record while the process is busy.`,
  ];
}

// Frames that tell which runtime a stack runs in (a thread's name does not: Node 24 calls its main thread
// MainThread, and a JVM's threads have names of their own).
const V8_FRAME = /^(node::|v8::|Builtins_)/;
const JVM_FRAME = /^(JavaMain|JavaThread::|JVM_|Interpreter|call_stub|thread_native_entry)/;

/** The runtime whose JIT wrote a stack's unnamed code: node, java, or the process name. */
function runtimeOf(frames: readonly string[]): string {
  if (frames.some((f) => V8_FRAME.test(f))) return 'node';
  if (frames.some((f) => JVM_FRAME.test(f))) return 'java';
  return frames[0] ?? 'the process';
}

/** What kind of unnamed code a frame is: `jit:<runtime>`, `unplaced`, or `binary:<file name>`. */
function unnamedKind(frame: string, frames: readonly string[]): string | undefined {
  const m = UNNAMED_FRAME.exec(frame);
  if (m === null) return undefined;
  const dso = m[1] ?? 'unknown';
  if (JIT_MAP.test(dso)) return `jit:${runtimeOf(frames)}`;
  return dso === 'unknown' ? 'unplaced' : `binary:${dso}`;
}

function unnamedSentence(kind: string, share: string): string {
  const [what, name = ''] = kind.split(/:(.*)/s);
  if (what === 'jit' && name === 'node')
    return `${share} of the samples are in JavaScript that V8 compiled, and have no names: start node with --perf-basic-prof (for example NODE_OPTIONS=--perf-basic-prof), so it writes /tmp/perf-<pid>.map, and record again.`;
  if (what === 'jit' && (name === 'java' || /^java\b/.test(name)))
    return `${share} of the samples are in code the JVM compiled, and have no names: Furnace asks each JVM for its perf map (jcmd <pid> Compiler.perfmap, JDK 17 and later); where that is refused, start the JVM with -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit.`;
  if (what === 'jit')
    return `${share} of the samples are in code ${name} compiled at run time, and have no names: the runtime must write /tmp/perf-<pid>.map (see its perf support) for perf to name it.`;
  if (what === 'unplaced')
    return `${share} of the samples have frames perf could not place in any binary (often code without frame pointers): record with Call graph: dwarf (callGraph: dwarf).`;
  return `${share} of the samples are in ${name}, whose functions perf could not name: the binary is stripped. Use Symbols: from the image (symbols: image) when the image has an unstripped copy, or install its debug symbols.`;
}

function unnamedFindings(stacks: FoldedStacks, total: number): string[] {
  const byKind = new Map<string, number>();
  for (const [stack, count] of stacks) {
    const frames = stack.split(';');
    const kinds = new Set<string>();
    for (let i = 1; i < frames.length; i++) {
      const kind = unnamedKind(frames[i] ?? '', frames);
      if (kind !== undefined) kinds.add(kind);
    }
    for (const kind of kinds) byKind.set(kind, (byKind.get(kind) ?? 0) + count);
  }
  return [...byKind]
    .filter(([, count]) => count / total >= NOTABLE_SHARE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([kind, count]) => unnamedSentence(kind, percent(count / total)));
}

function cutShortFindings(stacks: FoldedStacks, total: number, context: DiagnoseContext): string[] {
  if (context.timed === undefined && context.callGraph !== 'fp') return [];
  let cut = 0;
  let javaCut = 0;
  const leaves = new Map<string, number>();
  for (const [stack, count] of stacks) {
    const frames = stack.split(';');
    if (frames.slice(1).some((frame) => ROOT_FRAME.test(frame))) continue;
    // Addresses are not a cut stack: their names are what is missing (timedFindings says why).
    if (context.timed !== undefined && frames.some((frame) => ADDRESS_FRAME.test(frame))) continue;
    cut += count;
    if (frames[0] === 'java' || runtimeOf(frames) === 'java') javaCut += count;
    const leaf = frames.at(-1) ?? '';
    leaves.set(leaf, (leaves.get(leaf) ?? 0) + count);
  }
  if (cut / total < CUT_SHARE) return [];
  const [leaf] = [...leaves].sort((a, b) => b[1] - a[1])[0] ?? ['?'];
  const share = percent(cut / total);
  if (context.timed !== undefined)
    return [
      `${share} of the time has user stacks that stop before main or a thread's start (most often at ${leaf}): ${who(context)}, or a library it runs, was built without frame pointers, and the ${context.timed} recorder walks frame pointers only. Build with -fno-omit-frame-pointer; the kernel frames are complete.`,
    ];
  const where = `${share} of the samples have stacks that stop before main or a thread's start (most often at ${leaf})`;
  if (javaCut * 2 >= cut)
    return [
      `${where}: code the JVM compiled keeps no frame pointers unless asked, so perf cannot walk up from it. Start the JVM with -XX:+PreserveFramePointer, or record with Call graph: dwarf (callGraph: dwarf).`,
    ];
  return [
    `${where}: ${who(context)}, or a library it runs, was built without frame pointers, so perf cannot walk up from there. Record with Call graph: dwarf (callGraph: dwarf), or build with -fno-omit-frame-pointer.`,
  ];
}

/** Profiles offcpu and wall: nothing away from the CPU, and user frames left as addresses. */
function timedFindings(stacks: FoldedStacks, total: number, context: DiagnoseContext): string[] {
  if (total === 0)
    return [
      `nothing recorded: no thread of ${who(context)} was away from the CPU for the minimum time or longer while recording.`,
    ];
  let addressed = 0;
  for (const [stack, value] of stacks)
    if (stack.split(';').some((f) => ADDRESS_FRAME.test(f))) addressed += value;
  if (addressed / total < NOTABLE_SHARE) return [];
  return [
    `${percent(addressed / total)} of the time has user frames shown as addresses: bpftrace names them through /proc of the host's PIDs, which a recorder inside the pod does not see. The kernel frames have names; the node agent and local mode name user frames too.`,
  ];
}

/** The findings for a recording's stacks, most telling first; none when the graph speaks for itself. */
export function diagnoseStacks(stacks: FoldedStacks, context: DiagnoseContext): string[] {
  const total = totalSamples(stacks);
  if (context.timed !== undefined)
    return total === 0
      ? timedFindings(stacks, total, context)
      : [...timedFindings(stacks, total, context), ...cutShortFindings(stacks, total, context)];
  const idle = idleFindings(total, context);
  if (total === 0) return idle;
  return [...idle, ...unnamedFindings(stacks, total), ...cutShortFindings(stacks, total, context)];
}
