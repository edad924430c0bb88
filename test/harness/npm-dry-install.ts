// An install command of the project (package.json's prestart, test/setup.sh) run dry on this machine's own
// Node and npm, as a user's shell finds them: in a copy of package.json, the lock file and
// scripts/with-node24.sh, with --dry-run --ignore-scripts (the lock file says what it would install; nothing
// is fetched but Node 24 when the cache lacks it, and nothing is written in the project).
import assert from 'node:assert/strict';
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { execFile } from './child-processes.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { tempDir } from './temp-dirs.ts';

const run = promisify(execFile);
/** This machine's own Node and npm, as a user's shell finds them. */
const MACHINE_PATH = '/usr/bin:/bin';

/** The major version of the machine's own Node. */
export async function machineNodeMajor(): Promise<number> {
  const { stdout } = await run('node', ['-p', 'process.versions.node'], { env: { PATH: MACHINE_PATH } });
  return Number(stdout.split('.')[0]);
}

/** Runs `command --dry-run --ignore-scripts` with `sh -c` in a copy of what an install reads. */
export async function dryInstall(
  t: TestContext,
  command: string,
): Promise<{ stdout: string; stderr: string }> {
  assert.ok((await machineNodeMajor()) < 24, "the machine's node is older than 24");
  const dir = await tempDir(t, 'furnace-npm-ci-');
  await cp(join(PROJECT_ROOT, 'package.json'), join(dir, 'package.json'));
  await cp(join(PROJECT_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  await mkdir(join(dir, 'scripts'));
  await cp(join(PROJECT_ROOT, 'scripts', 'with-node24.sh'), join(dir, 'scripts', 'with-node24.sh'));
  return run('sh', ['-c', `${command} --dry-run --ignore-scripts`], {
    cwd: dir,
    env: { PATH: MACHINE_PATH, HOME: process.env.HOME ?? '/root' },
    maxBuffer: 16 * 1024 * 1024,
  });
}
