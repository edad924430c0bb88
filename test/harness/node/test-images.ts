// Images of test programs for the real node: the hot C program (furnace_heavy does three times the work of
// furnace_light; see ../hot-program.ts), the waiting C program (../waiting-program.ts) and the counting C
// program (../counting-program.ts) as static binaries, and this machine's perf with its libraries and `sleep`, for a privileged container that records
// a neighbour. All `FROM scratch`.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCountingProgram } from '../counting-program.ts';
import { buildHotProgram } from '../hot-program.ts';
import { buildWaitingProgram } from '../waiting-program.ts';
import { run } from '../processes.ts';
import { buildScratchImage, hostProgramFiles } from './scratch-image.ts';

export const HOT_APP_IMAGE = 'localhost/furnace/hot-app:test';
export const PERF_IMAGE = 'localhost/furnace/perf:test';
export const WAITING_APP_IMAGE = 'localhost/furnace/waiting-app:test';
export const COUNTING_APP_IMAGE = 'localhost/furnace/counting-app:test';
/** Where the counting container keeps its count: its root filesystem, read from the node at /proc/PID/root. */
export const COUNTING_APP_COUNTER = '/counter';

/** The hot program, busy `busyPercent` of each 100 ms for a day; returns the image archive. */
export async function buildHotAppImage(workDir: string, busyPercent = 25): Promise<string> {
  const dir = join(workDir, 'hot-app');
  await mkdir(dir, { recursive: true });
  const program = await buildHotProgram(dir, ['-static']);
  return buildScratchImage(
    {
      name: HOT_APP_IMAGE,
      files: { '/furnace-hot': program },
      entrypoint: ['/furnace-hot', '86400', String(busyPercent)],
    },
    workDir,
  );
}

/** The two versions of the hot program a rollout test deploys (test/node/rollout-watch-real-pods.test.ts). */
export const HOT_VERSION_IMAGES = {
  v1: 'localhost/furnace/hot-app:v1',
  v2: 'localhost/furnace/hot-app:v2',
} as const;

/**
 * The hot program with -DFURNACE_STEADY (four functions a change leaves alone), busy `busyPercent` of each
 * 100 ms; v2 also with -DFURNACE_LIGHT_FACTOR=3 (furnace_light three times as expensive). Returns the archive.
 */
export async function buildHotVersionImage(
  workDir: string,
  version: keyof typeof HOT_VERSION_IMAGES,
  busyPercent: number,
): Promise<string> {
  const dir = join(workDir, `hot-app-${version}`);
  await mkdir(dir, { recursive: true });
  const flags = ['-static', '-DFURNACE_STEADY', ...(version === 'v2' ? ['-DFURNACE_LIGHT_FACTOR=3'] : [])];
  const program = await buildHotProgram(dir, flags);
  return buildScratchImage(
    {
      name: HOT_VERSION_IMAGES[version],
      files: { '/furnace-hot': program },
      entrypoint: ['/furnace-hot', '86400', String(busyPercent)],
    },
    workDir,
  );
}

/**
 * The waiting program (../waiting-program.ts: its threads burn, block in read() and sleep in a known split)
 * as a static binary; its arguments are the container's: `<seconds> <thread-name prefix> [<burn: 1 or 0>]`.
 */
export async function buildWaitingAppImage(workDir: string): Promise<string> {
  const dir = join(workDir, 'waiting-app');
  await mkdir(dir, { recursive: true });
  const program = await buildWaitingProgram(dir, 'furnace-waiting', ['-static']);
  return buildScratchImage(
    { name: WAITING_APP_IMAGE, files: { '/furnace-waiting': program }, entrypoint: ['/furnace-waiting'] },
    workDir,
  );
}

/** The counting program, busy on one CPU without end, counting work units into COUNTING_APP_COUNTER. */
export async function buildCountingAppImage(workDir: string): Promise<string> {
  const dir = join(workDir, 'counting-app');
  await mkdir(dir, { recursive: true });
  const program = await buildCountingProgram(dir, ['-static']);
  return buildScratchImage(
    {
      name: COUNTING_APP_IMAGE,
      files: { '/furnace-counting': program },
      entrypoint: ['/furnace-counting', COUNTING_APP_COUNTER],
    },
    workDir,
  );
}

/** perf and sleep from this machine, at their paths here; the entrypoint sleeps so `kubectl exec` can run perf. */
export async function buildPerfImage(workDir: string): Promise<string> {
  const files = {
    ...(await hostProgramFiles('/usr/bin/perf')),
    ...(await hostProgramFiles('/usr/bin/sleep')),
  };
  return buildScratchImage({ name: PERF_IMAGE, files, entrypoint: ['/usr/bin/sleep', 'infinity'] }, workDir);
}

export const BUSYBOX_IMAGE = 'localhost/furnace/busybox:test';

/** Debian's static busybox (nslookup, nc, httpd): a pod's client and server for network checks. */
export async function buildBusyboxImage(workDir: string): Promise<string> {
  const linked = await run('ldd', ['/bin/busybox']).then(
    () => true,
    () => false,
  );
  if (linked) {
    throw Object.assign(
      new Error('/bin/busybox is dynamically linked: install busybox-static for a scratch image'),
      {
        code: 'ERR_BUSYBOX_NOT_STATIC',
      },
    );
  }
  return buildScratchImage(
    { name: BUSYBOX_IMAGE, files: { '/bin/busybox': '/bin/busybox' }, entrypoint: ['/bin/busybox'] },
    workDir,
  );
}

/**
 * The opted-in Deployment `hot` of the hot program's v1 image, one replica, `cpuRequest` of CPU requested:
 * the workload the rollout tests record and roll out to v2 (`kubectl set image`).
 */
export function hotVersionDeployment(namespace: string, cpuRequest: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hot', namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'hot' } },
      template: {
        metadata: { labels: { app: 'hot', furnace: 'enabled' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'app',
              image: HOT_VERSION_IMAGES.v1,
              imagePullPolicy: 'Never',
              resources: { requests: { cpu: cpuRequest } },
            },
          ],
        },
      },
    },
  };
}
