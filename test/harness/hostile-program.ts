// A compiled program whose hot functions have hostile names, as a hostile or just unusual binary can:
// markup with quotes and an entity (an assembler accepts any quoted symbol name), and a C++ template
// instantiation whose demangled name runs to about 1,700 characters. perf reports both as they are.
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { execFile, spawn } from './child-processes.ts';

export const MARKUP_SYMBOL = "<svg onload=alert`1`>'q&amp";
/** How flame graphs name it: the collapser drops quotes from names, as stackcollapse-perf.pl does. */
export const MARKUP_SHOWN = '<svg onload=alert`1`>q&amp';
/** `furnace_template_hot<std::pair<std::pair<…>>>(long)` from nested std::pair and std::map, mangled;
 * flame graphs show it without the argument list. */
export const TEMPLATE_SYMBOL_MANGLED =
  '_Z20furnace_template_hotISt4pairIS0_IS0_IS0_IS0_IS0_IicESt3mapINSt7__cxx1112basic_stringIcSt11char_' +
  'traitsIcESaIcEEE4DeepILi0EESt4lessIS8_ESaIS0_IKS8_SA_EEEES2_IS8_S9_ILi1EESC_SaIS0_ISD_SI_EEEES2_IS8_S9_' +
  'ILi2EESC_SaIS0_ISD_SN_EEEES2_IS8_S9_ILi3EESC_SaIS0_ISD_SS_EEEES2_IS8_S9_ILi4EESC_SaIS0_ISD_SX_EEEEEvl';
export const TEMPLATE_SYMBOL_START = 'furnace_template_hot<std::pair<std::pair<';

const SOURCE = `
#include <stdlib.h>
#include <time.h>
volatile double sink;
__attribute__((noinline)) void HOSTILE_MARKUP(long n) { double x = 0; for (long i = 0; i < n; i++) x += i * 0.5; sink = x; }
__attribute__((noinline)) void HOSTILE_TEMPLATE(long n) { double x = 1; for (long i = 0; i < n; i++) x *= 1.0000001; sink = x; }
int main(int argc, char **argv) {
  time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 60);
  while (time(NULL) < end) { HOSTILE_MARKUP(2000000); HOSTILE_TEMPLATE(2000000); }
  return 0;
}
`;

/** Compiles through assembly (to rename the functions) and runs it; returns the program's name. */
export async function runHostileProgram(t: TestContext, dir: string, seconds = 120): Promise<string> {
  const name = `furnace_hostile_${process.pid}`;
  const run = promisify(execFile);
  await writeFile(join(dir, 'hostile.c'), SOURCE);
  await run('gcc', [
    '-O1',
    '-g0',
    '-fno-omit-frame-pointer',
    '-S',
    '-o',
    join(dir, 'hostile.s'),
    join(dir, 'hostile.c'),
  ]);
  const assembly = (await readFile(join(dir, 'hostile.s'), 'utf8'))
    .replaceAll('HOSTILE_MARKUP', JSON.stringify(MARKUP_SYMBOL))
    .replaceAll('HOSTILE_TEMPLATE', TEMPLATE_SYMBOL_MANGLED);
  await writeFile(join(dir, 'hostile.s'), assembly);
  await run('gcc', ['-o', join(dir, name), join(dir, 'hostile.s')]);
  const child = spawn(join(dir, name), [String(seconds)], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return name;
}
