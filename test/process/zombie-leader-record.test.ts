// A program whose main thread ends with pthread_exit while a thread it started keeps the CPU busy: its
// leader is a zombie (empty command line and maps), the process runs on. The real sidecar finds it by
// pattern and real perf records it; the flame graph names the busy thread's function.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../harness/eventually.ts';
import { samplesOf } from '../harness/hot-program.ts';
import { run, startProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'zombie-leader-secret';

/** main starts the busy thread and leaves by pthread_exit; the thread ends the process after argv[1] seconds. */
const LEADERLESS_C = `#include <pthread.h>
#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
static double seconds;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
__attribute__((noinline)) void furnace_leaderless_spin(void) { for (unsigned long i = 0; i < 2000000UL; i++) sink += i; }
static void *busy(void *arg) {
  (void)arg;
  double end = now() + seconds;
  while (now() < end) furnace_leaderless_spin();
  exit(0);
}
int main(int argc, char **argv) {
  seconds = argc > 1 ? atof(argv[1]) : 60.0;
  pthread_t thread;
  if (pthread_create(&thread, NULL, busy, NULL) != 0) return 1;
  pthread_exit(NULL);
}
`;

/** Builds the program as `name` in dir. */
async function buildLeaderless(dir: string, name: string): Promise<string> {
  const program = join(dir, name);
  await writeFile(join(dir, 'leaderless.c'), LEADERLESS_C);
  await run('gcc', ['-O1', '-fno-omit-frame-pointer', '-pthread', '-o', program, join(dir, 'leaderless.c')]);
  return program;
}

/** Waits until the main thread of `pid` has exited (its leader a zombie) while the busy thread runs. */
async function leaderExited(pid: number): Promise<void> {
  await eventually(
    async () => {
      const { stdout } = await run('ps', ['-o', 'stat=', '-p', String(pid)]).catch(() => ({ stdout: '' }));
      return stdout.trim().startsWith('Z') || undefined;
    },
    10_000,
    'the main thread to exit (its leader a zombie) while the busy thread runs',
  );
}

async function recordByPattern(t: TestContext, name: string, pid: number): Promise<string> {
  const { sidecar } = await startRegisteredSidecar(t, SECRET);
  const done = await sidecar.record({ processPattern: name, durationSeconds: 3, frequency: 199 });
  assert.equal(done.state, 'done', done.error);
  assert.deepEqual(
    done.targets.map((chosen) => chosen.pid),
    [pid],
  );
  return sidecar.artifact(done.id, 'stacks.folded');
}

describe('a process whose main thread has exited (real sidecar, real perf, a fake registration server)', () => {
  it('is chosen by pattern and recorded with its busy thread named in the folded stacks', async (t) => {
    const dir = await workDir(t, 'leaderless');
    const name = `furnace_leaderless_${process.pid}`;
    const target = startProcess(t, await buildLeaderless(dir, name), ['60']);
    await leaderExited(target.pid);
    const folded = await recordByPattern(t, name, target.pid);
    assert.ok(samplesOf(folded, 'furnace_leaderless_spin') > 0, folded);
  });

  it('is named when its binary is only in its own mount namespace, as in a container', async (t) => {
    const dir = await workDir(t, 'leaderless-ns');
    const name = `furnace_leaderless_ns_${process.pid}`;
    await mkdir(join(dir, 'build'));
    const built = await buildLeaderless(join(dir, 'build'), name);
    // An empty directory here; inside the program's mount namespace, a tmpfs holding the program it runs.
    const inside = join(dir, 'own-root');
    await mkdir(inside);
    const script = `mount --make-rprivate / && mount -t tmpfs none ${inside} && cp ${built} ${inside}/ && exec ${inside}/${name} 60`;
    const target = startProcess(t, 'unshare', ['-m', 'sh', '-c', script]);
    await leaderExited(target.pid);
    const folded = await recordByPattern(t, name, target.pid);
    assert.ok(samplesOf(folded, 'furnace_leaderless_spin') > 0, folded);
  });
});
