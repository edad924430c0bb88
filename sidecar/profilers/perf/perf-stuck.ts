// Where a process that does not finish is: its scheduler state and the kernel function it waits in, read
// from /proc just before it is killed, so that the recording says why perf did not finish its file.
import { readFile } from 'node:fs/promises';

const STATES: Record<string, string> = {
  R: 'running or waiting for a CPU',
  S: 'asleep',
  D: 'in an uninterruptible wait (disk or kernel lock)',
  T: 'stopped by a signal',
  t: 'stopped by a tracer',
  Z: 'exited (a zombie)',
};

/** The first kernel frames of /proc/PID/stack (root only), without their addresses. */
function topFrames(stack: string): string {
  return stack
    .split('\n')
    .map((line) => line.replace(/^\[<[0-9a-f]+>\]\s*/, '').replace(/\+0x[0-9a-f/x]+$/, ''))
    .filter((frame) => frame !== '')
    .slice(0, 3)
    .join(' < ');
}

/** "asleep, kernel stack do_sys_poll < __x64_sys_poll < …" (or "asleep in do_sys_poll"), or undefined when the process is gone or unreadable. */
export async function describeStuck(pid: number, proc = '/proc'): Promise<string | undefined> {
  const stat = await readFile(`${proc}/${pid}/stat`, 'utf8').catch(() => undefined);
  // The state follows the command name, which is in parentheses and may hold any character.
  const state = stat?.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === undefined || state === '') return undefined;
  const wchan = (await readFile(`${proc}/${pid}/wchan`, 'utf8').catch(() => '')).trim();
  const stack = topFrames(await readFile(`${proc}/${pid}/stack`, 'utf8').catch(() => ''));
  // The stack (root only) names more than the one function wchan gives.
  const where =
    stack !== '' ? `, kernel stack ${stack}` : wchan === '' || wchan === '0' ? '' : ` in ${wchan}`;
  return `${STATES[state] ?? `in state ${state}`}${where}`;
}
