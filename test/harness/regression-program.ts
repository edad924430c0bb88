// The C program the regression comparison is tested on: four busy functions of equal work on average
// (furnace_alpha, furnace_beta, furnace_gamma, furnace_delta), each call of a random length. Build flags make a version of it:
// `-DBETA_TIMES=3` makes furnace_beta three times as expensive, `-Dfurnace_beta=furnace_beta_v2` renames
// it. recordFolded records a run of it with real perf and folds the stacks as the sidecar does.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collapsePerfScript } from '../../core/stacks/collapse-perf.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';
import { spawn } from './child-processes.ts';
import { run } from './processes.ts';

const PROGRAM_C = `#include <stdlib.h>
#include <time.h>
#ifndef BETA_TIMES
#define BETA_TIMES 1
#endif
#define ROUND 200000UL
volatile unsigned long sink;
static unsigned long seed = 88172645463325252UL;
/* Between half and one and a half rounds per call, at random: a program of fixed-length calls would be
   periodic, and a fixed sampling period would alias with it (see docs/regressions.md). */
static unsigned long rounds(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return ROUND / 2 + seed % ROUND; }
__attribute__((noinline)) void furnace_alpha(void) { for (unsigned long i = 0, n = rounds(); i < n; i++) sink += i; }
__attribute__((noinline)) void furnace_beta(void) { for (unsigned long i = 0, n = rounds() * BETA_TIMES; i < n; i++) sink += i; }
__attribute__((noinline)) void furnace_gamma(void) { for (unsigned long i = 0, n = rounds(); i < n; i++) sink += i; }
__attribute__((noinline)) void furnace_delta(void) { for (unsigned long i = 0, n = rounds(); i < n; i++) sink += i; }
/* CPU time, not wall time: on a loaded machine every run still gets as many samples. */
static double now(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  double end = now() + (argc > 1 ? atof(argv[1]) : 10.0);
  struct timespec wall; clock_gettime(CLOCK_REALTIME, &wall);
  seed ^= (unsigned long)wall.tv_nsec;
  while (now() < end) { furnace_alpha(); furnace_beta(); furnace_gamma(); furnace_delta(); }
  return 0;
}
`;

/** Compiles a version of the program into dir under `name` (frame pointers kept, no optimization). */
export async function buildRegressionProgram(
  dir: string,
  name: string,
  flags: string[] = [],
): Promise<string> {
  const source = join(dir, 'regression-program.c');
  await writeFile(source, PROGRAM_C);
  const path = join(dir, name);
  await run('gcc', ['-O0', '-fno-omit-frame-pointer', ...flags, '-o', path, source]);
  return path;
}

/**
 * Runs the program under `perf record` (cpu-clock, 99 Hz, frame pointers) until it has used `seconds` of
 * CPU time (about 99 samples a second, however loaded the machine is) and folds its stacks.
 */
export async function recordFolded(
  dir: string,
  program: string,
  seconds: number,
  label: string,
): Promise<FoldedStacks> {
  const data = join(dir, `${label}.perf.data`);
  await run('perf', [
    'record',
    '-q',
    '-e',
    'cpu-clock',
    '-F',
    '99',
    '-g',
    '-o',
    data,
    '--',
    program,
    String(seconds),
  ]);
  const script = spawn('perf', ['script', '-i', data], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => {
    script.on('error', reject);
    script.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`perf script exited with ${code}`)),
    );
  });
  const stacks = await collapsePerfScript(script.stdout);
  await exited;
  return stacks;
}
