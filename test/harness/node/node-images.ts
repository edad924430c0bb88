// The images every node needs before its first pod: the pause image (a sandbox's first process: it holds
// the pod's namespaces, reaps orphans as PID 1 of a shared PID namespace, and exits on SIGTERM or SIGINT)
// and CoreDNS. Both are static binaries in `FROM scratch` images.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../processes.ts';
import { COREDNS_IMAGE, PAUSE_IMAGE } from './node-layout.ts';
import { buildScratchImage, importImage } from './scratch-image.ts';

const PAUSE_C = `#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void stop(int sig) { (void)sig; _exit(0); }
static void reap(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction quit = { .sa_handler = stop }, child = { .sa_handler = reap, .sa_flags = SA_NOCLDSTOP };
  sigaction(SIGINT, &quit, 0);
  sigaction(SIGTERM, &quit, 0);
  sigaction(SIGCHLD, &child, 0);
  for (;;) pause();
}
`;

export async function buildPauseImage(workDir: string): Promise<string> {
  await mkdir(workDir, { recursive: true });
  const source = join(workDir, 'pause.c');
  const binary = join(workDir, 'pause');
  await writeFile(source, PAUSE_C);
  await run('gcc', ['-O2', '-static', '-o', binary, source]);
  return buildScratchImage(
    { name: PAUSE_IMAGE, files: { '/pause': binary }, entrypoint: ['/pause'] },
    workDir,
  );
}

export function buildCorednsImage(workDir: string, corednsBinDir: string): Promise<string> {
  return buildScratchImage(
    { name: COREDNS_IMAGE, files: { '/coredns': join(corednsBinDir, 'coredns') }, entrypoint: ['/coredns'] },
    workDir,
  );
}

/** Builds both images and imports them into the node's containerd. */
export async function importNodeImages(
  workDir: string,
  corednsBinDir: string,
  socket: string,
): Promise<void> {
  const [pause, coredns] = await Promise.all([
    buildPauseImage(workDir),
    buildCorednsImage(workDir, corednsBinDir),
  ]);
  await importImage(socket, pause);
  await importImage(socket, coredns);
}
