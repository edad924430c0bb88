// The perf record command line: its options, and the wrapper that starts it (setpriv, so that the
// recorder's death interrupts perf; a shell that ignores SIGPIPE and makes perf's control FIFO).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuildIdMode } from '../../host/disk-budget.ts';
import { SETPRIV, SHELL, signalledOnParentDeath } from '../../host/helper-wrappers.ts';
import type { CallGraphRun } from '../../../core/contract/recording-params.ts';

export interface PerfRecordOptions {
  perfPath: string;
  event: string;
  frequency: number;
  callGraph: CallGraphRun;
  /** PIDs to record; ignored when systemWide. */
  pids: readonly number[];
  systemWide: boolean;
  outputFile: string;
  /** perf's build-id cache for this recording (perf copies the binaries it sampled there). */
  buildIdDir?: string;
  /**
   * How perf record handles build ids when it stops. `cache`: copy the sampled binaries into the cache
   * (about a second on 2 cores; needed for targets in other mount namespaces, whose files are gone once
   * they exit). `scan`: reread perf.data for build ids, no copies (-N). `mmap`: build ids travel in the
   * mmap events, no second pass (--buildid-mmap; kernel 5.12+). Default `cache`.
   */
  buildIds?: BuildIdMode;
  durationSeconds: number;
  maxBytes: number;
  /** How often the size of perf.data is checked, ms. */
  sizePollMs?: number;
  /** How long perf gets to write its file after SIGINT before it is killed, ms. */
  killAfterMs?: number;
  /**
   * How long perf may take to start (open its events and write perf.data's header) before the duration
   * counts anyway, ms (30 s).
   */
  startupGraceMs?: number;
  /** How often perf is asked to write its ring buffers out to perf.data, ms (1 s). */
  flushEveryMs?: number;
  /**
   * When perf's events go on, epoch ms: perf starts with them off (`-D -1`) and the runner writes `enable`
   * on its control FIFO at this instant (at once when it has passed by the time perf is ready); the
   * duration counts from perf's ack of it. Unset: the events are on from perf's start.
   */
  enableAt?: number;
}

const BUILD_ID_ARGS: Record<BuildIdMode, string[]> = {
  cache: [],
  scan: ['--no-buildid-cache'],
  mmap: ['--buildid-mmap'],
};

/**
 * perf record follows BPF programs' loads in a side-band thread that polls with a one-second timeout, and
 * after SIGINT it waits for that poll to time out: 0–1 s (about 0.3–0.5 s typically) added to every stop.
 * Recording a pod's processes goes without (`--no-bpf-event`: a sample inside a BPF program then has no
 * program name); a whole-node recording keeps them, where BPF programs are more likely to show.
 */
const NO_BPF_EVENTS = ['--no-bpf-event'];

export function perfRecordArgs(options: PerfRecordOptions): string[] {
  const callGraph = options.callGraph === 'dwarf' ? ['--call-graph', 'dwarf'] : ['-g'];
  const scope = options.systemWide ? ['-a'] : ['-p', options.pids.join(','), ...NO_BPF_EVENTS];
  const maxKiB = Math.max(4, Math.floor(options.maxBytes / 1024));
  return [
    ...(options.buildIdDir === undefined ? [] : ['--buildid-dir', options.buildIdDir]),
    'record',
    '-e',
    options.event,
    '-F',
    String(options.frequency),
    ...callGraph,
    ...scope,
    '-o',
    options.outputFile,
    '--max-size',
    `${maxKiB}K`,
    ...BUILD_ID_ARGS[options.buildIds ?? 'cache'],
  ];
}

/** The FIFO perf record reads commands from (`--control`), beside its perf.data. */
export function controlFifoFor(outputFile: string): string {
  return join(dirname(outputFile), 'perf.control');
}

/** The FIFO perf record acknowledges each command on (`--control fifo:CTL,ACK`), beside its perf.data. */
export function ackFifoFor(outputFile: string): string {
  return join(dirname(outputFile), 'perf.ack');
}

/** perf's control FIFO and the FIFO it acknowledges commands on. */
export interface PerfFifos {
  control: string;
  ack: string;
}

/** Whether `command` names a file: as a path, or found in one of PATH's directories. */
function onPath(command: string): boolean {
  if (command.includes('/')) return existsSync(command);
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/**
 * Ignores SIGPIPE (an ignored signal stays ignored across exec), makes the control FIFO named by $0 and the
 * ack FIFO named by $1, then execs the rest of its arguments.
 */
export const PERF_WRAPPER =
  'trap "" PIPE; rm -f "$0" "$1" && mkfifo -m 600 "$0" "$1" || exit 1; shift; exec "$@"';

export interface PerfRecordCommand {
  command: string;
  args: string[];
  /** The FIFOs perf reads commands from and acknowledges them on, when it has them (started through the shell). */
  fifos?: PerfFifos;
}

/**
 * The perf record command line. Through `setpriv --pdeathsig INT`, perf is interrupted when the recorder
 * dies (a kill -9, an OOM kill) as it is on a stop: it writes a whole perf.data, which the restarted
 * recorder finishes from (recording-recovery.ts), and it does not record on for nobody. perf's closing
 * lines go to its stderr, a pipe whose reader died with the recorder: SIGPIPE would kill perf before it
 * writes perf.data's header, so a shell ignores SIGPIPE first and execs setpriv (the same process, so the
 * recorder stays the parent that pdeathsig watches); the write fails and perf finishes the file.
 *
 * The shell also makes a FIFO that perf reads commands from (`--control fifo:`) and one it acknowledges
 * each command on, once its main loop reads it: an ack says perf's events are on (perf-start.ts). The
 * recorder writes `ping` into it every second, and each wakes perf, which then writes out its ring
 * buffers: at 99 Hz they would otherwise hold all of a recording's samples until the stop, and a perf that
 * has to be killed would leave none. perf opens both FIFOs for reading and writing, without blocking, so
 * the recorder's death does not hang it up (a hung-up control fd makes perf 6.1 quit without finishing
 * perf.data). With `disabled`, perf starts with its events off (`-D -1`) until the recorder writes
 * `enable`; only then, for while they are off perf 6.1 records no side-band events of `-p` targets (its
 * tracking event is enabled on exec only: maps made meanwhile go unrecorded), and its extra tracking event
 * is a second attr in perf.data. Without setpriv, perf runs as it is, without the FIFOs and with its events
 * on.
 */
export function perfRecordCommand(
  perfPath: string,
  args: string[],
  fifos: PerfFifos & { disabled?: boolean },
  { setpriv, shell }: { setpriv: string | null; shell: string | null } = { setpriv: SETPRIV, shell: SHELL },
): PerfRecordCommand {
  // A perf that is not there is left to fail as itself, so the error says how to install it.
  if (setpriv === null || !onPath(perfPath)) return { command: perfPath, args };
  const interrupted = signalledOnParentDeath({ command: perfPath, args }, setpriv, 'INT');
  if (shell === null) return interrupted;
  const { control, ack } = fifos;
  const off = fifos.disabled === true ? ['-D', '-1'] : [];
  const controlled = [...interrupted.args, '--control', `fifo:${control},${ack}`, ...off];
  return {
    command: shell,
    args: ['-c', PERF_WRAPPER, control, ack, setpriv, ...controlled],
    fifos: { control, ack },
  };
}
