// The C program that tests record: two busy functions, furnace_light and furnace_heavy, where the heavy
// one does three times the work of the light one on every round; and how to count them in folded stacks.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { run, startProcess } from './processes.ts';

const HOT_C = `#include <stdlib.h>
#include <time.h>
#include <unistd.h>
volatile unsigned long sink;
#ifdef FURNACE_BUILD_TAG
/* A distinct build id per build, so perf's build-id cache cannot lend symbols from an earlier build. */
__attribute__((used)) const char furnace_build_tag[] = FURNACE_BUILD_TAG;
#endif
#ifndef FURNACE_LIGHT_FACTOR
#define FURNACE_LIGHT_FACTOR 1
#endif
/* -DFURNACE_LIGHT_FACTOR=3 makes furnace_light three times as expensive (a "v2" of the program). */
__attribute__((noinline)) void furnace_light(void) { for (unsigned long i = 0; i < 2000000UL * FURNACE_LIGHT_FACTOR; i++) sink += i; }
__attribute__((noinline)) void furnace_heavy(void) { for (unsigned long i = 0; i < 6000000UL; i++) sink += i; }
#ifdef FURNACE_STEADY
/* -DFURNACE_STEADY: four more functions of furnace_light's work each, the part of a program a change leaves alone. */
__attribute__((noinline)) void furnace_steady_a(void) { for (unsigned long i = 0; i < 2000000UL; i++) sink += i; }
__attribute__((noinline)) void furnace_steady_b(void) { for (unsigned long i = 0; i < 2000000UL; i++) sink += i; }
__attribute__((noinline)) void furnace_steady_c(void) { for (unsigned long i = 0; i < 2000000UL; i++) sink += i; }
__attribute__((noinline)) void furnace_steady_d(void) { for (unsigned long i = 0; i < 2000000UL; i++) sink += i; }
#define FURNACE_STEADY_CALLS furnace_steady_a(); furnace_steady_b(); furnace_steady_c(); furnace_steady_d();
#else
#define FURNACE_STEADY_CALLS
#endif
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  double end = now() + (argc > 1 ? atof(argv[1]) : 60.0);
  double busy = (argc > 2 ? atof(argv[2]) : 100.0) / 100.0;
  while (now() < end) {
    double slice = now();
    do { furnace_light(); furnace_heavy(); FURNACE_STEADY_CALLS } while (now() < end && (busy >= 1.0 || now() - slice < 0.1 * busy));
    if (busy < 1.0) usleep((useconds_t)(100000.0 * (1.0 - busy)));
  }
  return 0;
}
`;

/**
 * Compiles the program into dir (frame pointers kept, no optimization) and returns its path. Its arguments:
 * how many seconds it runs (60 without one), and what percent of each 100 ms it is busy (100 without one;
 * below that it sleeps the rest, so a test that only needs samples leaves the machine's cores to the rest).
 */
export async function buildHotProgram(
  dir: string,
  extraFlags: string[] = [],
  name = 'furnace-hot',
): Promise<string> {
  await writeFile(join(dir, 'hot.c'), HOT_C);
  const path = join(dir, name);
  await run('gcc', ['-O0', '-fno-omit-frame-pointer', ...extraFlags, '-o', path, join(dir, 'hot.c')]);
  return path;
}

/**
 * How busy a program is, in percent of each 100 ms, where a test needs its samples and not a core: a quarter
 * still gives a recording of a few seconds hundreds of samples, furnace_heavy on top and every stage of a
 * recording its work, and it leaves the two cores to the servers, recorders and API server under test and to
 * the files run beside (test/run.sh). At 100 % each such program took one of the two cores for its whole file.
 */
export const SAMPLED_BUSY_PERCENT = 25;

/** Builds the program into dir and runs it for the test, for `seconds`: its path and the process. */
export async function startHotProgram(t: TestContext, dir: string, seconds = 120) {
  const program = await buildHotProgram(dir);
  return { program, target: startProcess(t, program, [String(seconds)]) };
}

/**
 * Builds the program under a name no other process on this machine has, runs it for the test, and
 * returns the name: a processPattern that finds this process and no other.
 */
export async function runHotProgram(
  t: TestContext,
  dir: string,
  seconds = 120,
  busyPercent = 100,
): Promise<string> {
  const name = `furnace_hot_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const path = await buildHotProgram(dir, [], name);
  startProcess(t, path, [String(seconds), String(busyPercent)]);
  return name;
}

/** Samples per function: the sum of the counts of every folded stack that contains it. */
export function samplesOf(folded: string, fn: string): number {
  let total = 0;
  for (const line of folded.split('\n')) {
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    if (
      line
        .slice(0, space)
        .split(';')
        .some((frame) => frame === fn || frame.startsWith(`${fn} `))
    ) {
      total += Number(line.slice(space + 1));
    }
  }
  return total;
}
