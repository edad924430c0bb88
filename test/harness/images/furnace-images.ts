// Furnace's two images as the tests build and run them: build-images.sh (the stand-in base, then
// Dockerfile.server and Dockerfile.sidecar with the harness's podman), and containers started from them with
// that same podman, removed when the test ends.
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';
import { run, startProcess, type RunningProcess } from '../processes.ts';

export type ImageName = 'server' | 'sidecar';

/** The local names build-images.sh tags. */
export const FURNACE_IMAGES: Readonly<Record<ImageName, string>> = {
  server: 'localhost/furnace/server:test',
  sidecar: 'localhost/furnace/sidecar:test',
};

export const PODMAN_SH = join(PROJECT_ROOT, 'test', 'harness', 'podman', 'podman.sh');
const BUILD_IMAGES_SH = join(PROJECT_ROOT, 'test', 'harness', 'images', 'build-images.sh');

export interface BuiltImage {
  name: string;
  id: string;
  bytes: number;
  seconds: number;
}

/** Builds the named images (or finds every layer cached); throws with the script's output on a failure. */
export async function buildImages(names: readonly ImageName[]): Promise<BuiltImage[]> {
  const { stdout } = await run('bash', [BUILD_IMAGES_SH, ...names], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 * 1024 ** 2,
  });
  return [...stdout.matchAll(/^(\S+) (\w+) (\d+) bytes, built in (\d+) s$/gm)].map((m) => ({
    name: m[1] ?? '',
    id: m[2] ?? '',
    bytes: Number(m[3]),
    seconds: Number(m[4]),
  }));
}

/** The harness's podman (test/harness/podman/env.sh); rejects on a non-zero exit. */
export async function podman(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('bash', [PODMAN_SH, ...args], { maxBuffer: 64 * 1024 ** 2 });
}

/**
 * `podman run --rm` in the foreground, on the host's network (the container's loopback is this machine's), as
 * a process of the test: stop() signals podman, which passes the signal on. Removed by name when the test
 * ends, whatever happened.
 */
export function startContainer(
  t: Pick<TestContext, 'after'>,
  image: string,
  options: { runArgs?: string[]; command?: string[] } = {},
): RunningProcess {
  const name = `furnace-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  t.after(() => podman(['rm', '--force', '--ignore', name]).then(() => undefined));
  return startProcess(t, 'bash', [
    PODMAN_SH,
    'run',
    '--rm',
    '--name',
    name,
    '--network=host',
    ...(options.runArgs ?? []),
    image,
    ...(options.command ?? []),
  ]);
}
