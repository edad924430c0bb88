// A CPU-bound C program that counts the work it has done, for measuring what a recording costs the
// program it records: each work unit scrambles and hashes a 4 KiB block through a few nested calls
// (so that a call-graph recording unwinds a real stack), then adds one to a 64-bit counter kept in a
// shared file mapping. Reading that file gives the count at any moment without a system call in the
// program or a signal to it.
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

const COUNTING_C = `#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
static uint8_t block[4096];
__attribute__((noinline)) static uint32_t furnace_mix(uint32_t h, uint8_t b) { return (h ^ b) * 16777619u; }
__attribute__((noinline)) static uint32_t furnace_hash(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = furnace_mix(h, p[i]);
  return h;
}
__attribute__((noinline)) static void furnace_scramble(uint32_t seed) {
  for (size_t i = 0; i < sizeof block; i++) block[i] = (uint8_t)(block[i] + (seed >> (i & 15)));
}
__attribute__((noinline)) static uint32_t furnace_unit(uint32_t seed) {
  furnace_scramble(seed);
  return furnace_hash(block, sizeof block);
}
int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s COUNTER_FILE\\n", argv[0]); return 2; }
  int fd = open(argv[1], O_RDWR | O_CREAT, 0600);
  if (fd < 0 || ftruncate(fd, sizeof(uint64_t)) != 0) { perror(argv[1]); return 1; }
  volatile uint64_t *count = mmap(0, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (count == MAP_FAILED) { perror("mmap"); return 1; }
  uint32_t seed = 1;
  for (;;) { seed = furnace_unit(seed); *count += 1; }
}
`;

/**
 * Compiles the program into dir (-O2, frame pointers kept, as a profiled service is built; extraFlags e.g.
 * -static for a scratch image) and returns its path.
 */
export async function buildCountingProgram(dir: string, extraFlags: string[] = []): Promise<string> {
  await writeFile(join(dir, 'counting.c'), COUNTING_C);
  const path = join(dir, 'furnace-counting');
  await run('gcc', ['-O2', '-fno-omit-frame-pointer', ...extraFlags, '-o', path, join(dir, 'counting.c')]);
  return path;
}

/** The work units the program has counted so far into its counter file. */
export async function readCount(counterFile: string): Promise<number> {
  const file = await open(counterFile, 'r');
  try {
    const buffer = Buffer.alloc(8);
    await file.read(buffer, 0, 8, 0);
    return Number(buffer.readBigUInt64LE(0));
  } finally {
    await file.close();
  }
}
