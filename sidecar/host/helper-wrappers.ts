// The programs a helper (perf record, perf script) is started through, where the image has them: a shell
// that ignores SIGPIPE before it execs the helper, and util-linux's setpriv, whose --pdeathsig signals the
// helper when the recorder dies. Node's spawn hands every child the default SIGPIPE disposition (libuv
// resets each signal before exec); an ignored signal stays ignored across exec, so the shell's
// `trap "" PIPE` holds for the helper, which then gets EPIPE from a write into a pipe whose reader went
// (perf script into an addr2line that quit, perf into the stderr of a recorder that died) instead of dying.
import { existsSync } from 'node:fs';

/** A command line: the program and its arguments. */
export interface CommandLine {
  command: string;
  args: string[];
}

/** /bin/sh where the image has one. */
export const SHELL = existsSync('/bin/sh') ? '/bin/sh' : null;

/** util-linux's setpriv where the image has it (Debian always does). */
export const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path)) ?? null;

/** Becomes "$@" with SIGPIPE ignored. */
export const IGNORE_PIPE_THEN_EXEC = 'trap "" PIPE; exec "$@"';

/** `line` run by the shell with SIGPIPE ignored (the same process: the shell execs it); as it is without a shell. */
export function ignoringSigpipe(line: CommandLine, shell: string | null = SHELL): CommandLine {
  if (shell === null) return line;
  return { command: shell, args: ['-c', IGNORE_PIPE_THEN_EXEC, 'sh', line.command, ...line.args] };
}

/** `line` run by setpriv (the same process) so that it gets `signal` when its parent dies. */
export function signalledOnParentDeath(line: CommandLine, setpriv: string, signal: string): CommandLine {
  return { command: setpriv, args: ['--pdeathsig', signal, '--', line.command, ...line.args] };
}
