// A C program with two busy functions, hot_alpha and hot_beta, where one does three times the work of
// the other on every round: hot_beta the heavier as built by default, hot_alpha with `inverted` (the
// same source with a build flag, as a new version of a program would be). The heavier one's self share
// is about 75 % of the program's samples, the lighter one's about 25 %.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

const SOURCE = `#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
#ifdef FURNACE_INVERTED
#define ALPHA_ROUNDS 6000000UL
#define BETA_ROUNDS 2000000UL
#else
#define ALPHA_ROUNDS 2000000UL
#define BETA_ROUNDS 6000000UL
#endif
__attribute__((noinline)) void hot_alpha(void) { for (unsigned long i = 0; i < ALPHA_ROUNDS; i++) sink += i; }
__attribute__((noinline)) void hot_beta(void) { for (unsigned long i = 0; i < BETA_ROUNDS; i++) sink += i; }
int main(int argc, char **argv) {
  time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 60);
  while (time(NULL) < end) { hot_alpha(); hot_beta(); }
  return 0;
}
`;

/** The share of the program's samples the heavier function is expected at (3 of 4 rounds' work). */
export const HEAVY_SHARE = 0.75;

/** Compiles the program into dir (frame pointers kept, no optimization); returns its path. */
export async function buildAlphaBetaProgram(
  dir: string,
  options: { inverted?: boolean } = {},
): Promise<string> {
  const source = join(dir, 'alpha-beta.c');
  await writeFile(source, SOURCE);
  const path = join(dir, options.inverted === true ? 'alpha-beta-inverted' : 'alpha-beta');
  const flags = options.inverted === true ? ['-DFURNACE_INVERTED'] : [];
  await run('gcc', ['-O0', '-fno-omit-frame-pointer', ...flags, '-o', path, source]);
  return path;
}
