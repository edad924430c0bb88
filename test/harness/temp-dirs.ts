// Scratch directories that live as long as a test.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const leftovers = new Set<string>();

function removeLeftovers(): void {
  for (const dir of leftovers) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a process nobody stopped still writes there; nothing more to do at exit
    }
  }
}

/**
 * Removes a test's directory. A test's after-hooks run in the order they were added, so a process started
 * after its directory was made is still running here and may be writing into it (rmdir: ENOTEMPTY): the
 * removal is retried, and if it still fails the directory is removed when the test file's process exits.
 * It never throws: a hook that throws skips the hooks after it, which stop the test's processes, and the
 * file would then wait for them for ever.
 */
async function removeDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch {
    if (leftovers.size === 0) process.once('exit', removeLeftovers);
    leftovers.add(dir);
  }
}

/** A new directory `<parent>/<prefix>XXXXXX`, removed with everything in it when the test ends. */
export async function tempDir(
  t: Pick<TestContext, 'after'>,
  prefix: string,
  parent = tmpdir(),
): Promise<string> {
  const dir = await mkdtemp(join(parent, prefix));
  t.after(() => removeDir(dir));
  return dir;
}

/**
 * A scratch directory outside /tmp, for what a test shares with programs that run as pod "containers":
 * those get a private /tmp of their own.
 */
export function workDir(t: TestContext, name: string): Promise<string> {
  return tempDir(t, `furnace-${name}-`, '/var/tmp');
}
