// Scratch directories that live as long as a test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A new directory `<parent>/<prefix>XXXXXX`, removed with everything in it when the test ends. */
export async function tempDir(
  t: Pick<TestContext, 'after'>,
  prefix: string,
  parent = tmpdir(),
): Promise<string> {
  const dir = await mkdtemp(join(parent, prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A scratch directory outside /tmp, for what a test shares with programs that run as pod "containers":
 * those get a private /tmp of their own.
 */
export function workDir(t: TestContext, name: string): Promise<string> {
  return tempDir(t, `furnace-${name}-`, '/var/tmp');
}
