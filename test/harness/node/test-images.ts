// Images of test programs for the real node: the hot C program (furnace_heavy does three times the work of
// furnace_light; see ../hot-program.ts) as a static binary, and this machine's perf with its libraries and
// `sleep`, for a privileged container that records a neighbour. Both `FROM scratch`.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHotProgram } from '../hot-program.ts';
import { run } from '../processes.ts';
import { buildScratchImage, hostProgramFiles } from './scratch-image.ts';

export const HOT_APP_IMAGE = 'localhost/furnace/hot-app:test';
export const PERF_IMAGE = 'localhost/furnace/perf:test';

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
