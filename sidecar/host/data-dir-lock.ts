// One recorder process per data directory. A restarted local recorder can start while the one before it is
// still finishing (it follows its server out, and may take seconds to stop): the newcomer waits for it to
// exit before reading the recordings it left, so no recording is finished twice.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PID_FILE = 'recorder.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is a Node process still running a Furnace recorder (its pid may have been reused). */
async function isRecorder(pid: number): Promise<boolean> {
  if (!alive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return /sidecar[/\\]main\.[jt]s|agent[/\\]main\.[jt]s/.test(cmdline);
}

/**
 * Waits (up to `waitMs`) for the recorder named in `<dataDir>/recorder.pid` to exit, then names this
 * process there. Returns the pid it waited for, if any.
 */
export async function takeDataDir(
  dataDir: string,
  options: { waitMs?: number; sleep(ms: number): Promise<void>; now(): number },
): Promise<number | undefined> {
  const file = join(dataDir, PID_FILE);
  const previous = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  let waited: number | undefined;
  if (Number.isSafeInteger(previous) && previous !== process.pid) {
    const until = options.now() + (options.waitMs ?? 30_000);
    while ((await isRecorder(previous)) && options.now() < until) {
      waited = previous;
      await options.sleep(200);
    }
  }
  await writeFile(file, `${process.pid}\n`);
  return waited;
}
