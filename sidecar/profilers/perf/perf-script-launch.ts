// perf script started ahead of the stop. Starting a child from Node forks the whole recorder process:
// 20-90 ms of its main thread on the way from Stop to the flame graph (bench:stop-to-graph, traced), in
// which perf script has not begun. So a recording starts a small shell beside perf record that waits on
// its stdin; at the stop the sidecar writes one line (the kernel symbols' copy, or nothing) and the shell
// execs perf script in the same process. Should the recording end without perf script, or the recorder
// die, the shell reads the end of its stdin and exits without running anything.
//
// perf script runs with SIGPIPE ignored (the shell's `trap "" PIPE` stays across exec; Node's own spawn
// would hand it the default). perf script writes to an addr2line it started for a binary's source lines;
// an addr2line that quit (a binary it could not read) would otherwise kill perf script on its next write,
// and with it the recording. Ignored, the write fails with EPIPE, perf warns, and the frames stay named
// by symbol.
import { ignoringSigpipe, SHELL } from '../../host/helper-wrappers.ts';
import type { ChildLike, SpawnFn } from '../../host/runtime.ts';

const STDERR_KEEP = 4000;

/** A perf script that runs: its process, its exit (once its pipes closed too), the end of its stderr. */
export interface LaunchedScript {
  child: ChildLike;
  exited: Promise<number | null>;
  /** The signal that ended it, once it has exited by one. */
  signal(): string | null;
  stderr(): string;
}

/** A perf script waiting for the stop. */
export interface PreparedScript {
  /** Runs it, reading `kallsyms` (a copy of the kernel's symbols) when given. Once only. */
  go(kallsyms: string | undefined): LaunchedScript;
  /** The recording ends without it: the waiting shell exits. Nothing once it went. */
  cancel(): void;
}

/** Reads one line, then becomes "$@" (with --kallsyms and the line, when not empty); at EOF it exits. */
export const WAIT_THEN_EXEC =
  'trap "" PIPE; IFS= read -r kallsyms || exit 0; if [ -n "$kallsyms" ]; then exec "$@" --kallsyms "$kallsyms"; fi; exec "$@"';

/** Listens to a child at once: its stderr (kept short) and its end, whenever that comes. */
function watch(child: ChildLike): LaunchedScript {
  let stderr = '';
  let signal: string | null = null;
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEEP)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code: number | null, by: string | null) => {
      signal = by;
      resolve(code);
    });
  });
  // Read by the caller only once it went; a cancelled one's end is nobody's business.
  exited.catch(() => {});
  return { child, exited, signal: () => signal, stderr: () => stderr };
}

/**
 * Starts `command args` now, plus --kallsyms when a copy is given; through the shell, with SIGPIPE
 * ignored, where there is one.
 */
export function launchPerfScript(
  spawn: SpawnFn,
  command: { command: string; args: string[] },
  kallsyms: string | undefined,
  shell: string | null = SHELL,
): LaunchedScript {
  const args = kallsyms === undefined ? command.args : [...command.args, '--kallsyms', kallsyms];
  const stdio = { stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  const line = ignoringSigpipe({ command: command.command, args }, shell);
  return watch(spawn(line.command, line.args, stdio));
}

/**
 * Starts the waiting shell for `command args` (perf script without --kallsyms). Without a shell, perf
 * script is started when it goes, as before.
 */
export function preparePerfScript(
  spawn: SpawnFn,
  command: { command: string; args: string[] },
  shell: string | null = SHELL,
): PreparedScript {
  if (shell === null) {
    return { go: (kallsyms) => launchPerfScript(spawn, command, kallsyms, null), cancel: () => {} };
  }
  const child = spawn(shell, ['-c', WAIT_THEN_EXEC, 'sh', command.command, ...command.args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const launched = watch(child);
  // A shell that is gone when the line comes (killed meanwhile) must not throw from the write.
  child.stdin?.on('error', () => {});
  let used = false;
  return {
    go(kallsyms) {
      if (used) throw new Error('perf script was already started');
      used = true;
      // A path with a line break could not pass as one line: perf then reads /proc/kallsyms.
      const line = kallsyms === undefined || kallsyms.includes('\n') ? '' : kallsyms;
      child.stdin?.end(`${line}\n`);
      return launched;
    },
    cancel() {
      if (used) return;
      used = true;
      child.stdin?.end();
    },
  };
}
