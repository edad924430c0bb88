// The C program that tests off-CPU and wall-clock recording: it waits in known ways. Its threads, each
// named `<prefix>_<role>` (the prefix is its second argument, so two copies can be told apart):
//   main  (`<prefix>_burn`)  computes in burn() all the time and never blocks;
//   read  blocks in read() on a pipe that the feed thread writes one byte into every 10 ms;
//   feed  sleeps in nanosleep() 10 ms between writes;
//   sleep sleeps in nanosleep() 5 ms at a time.
// So of the time blocked, a third is read's (one thread) and two thirds nanosleep's (two threads).
// A third argument of 0 leaves out the computing thread (main sleeps as the sleep thread, until killed):
// under a CPU limit the computing thread would spend the quota and the whole cgroup would be throttled, the
// feed thread with it, so read() would wait for the throttle as well as the 10 ms (in a pod, the limit is
// the container's).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

const WAITING_C = `#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static int fds[2];
static const char *prefix = "fw";
volatile unsigned long sink;
static void name_thread(const char *role) {
  char name[16];
  snprintf(name, sizeof name, "%s_%s", prefix, role);
  pthread_setname_np(pthread_self(), name);
}
static void nap(long ns) { struct timespec t = { 0, ns }; nanosleep(&t, NULL); }
__attribute__((noinline)) void burn(void) { for (unsigned long i = 0; i < 1000000UL; i++) sink += i; }
__attribute__((noinline)) void *reader(void *unused) {
  char byte;
  name_thread("read");
  while (read(fds[0], &byte, 1) == 1) {}
  return unused;
}
__attribute__((noinline)) void *feeder(void *unused) {
  name_thread("feed");
  for (;;) { nap(10000000L); if (write(fds[1], "x", 1) != 1) break; }
  return unused;
}
__attribute__((noinline)) void *sleeper(void *unused) {
  name_thread("sleep");
  for (;;) nap(5000000L);
  return unused;
}
int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 60.0;
  if (argc > 2) prefix = argv[2];
  int burning = argc > 3 ? atoi(argv[3]) : 1;
  if (pipe(fds) != 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, reader, NULL);
  pthread_create(&t, NULL, feeder, NULL);
  if (!burning) return sleeper(NULL) != NULL;
  pthread_create(&t, NULL, sleeper, NULL);
  name_thread("burn");
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  do {
    burn();
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while (now.tv_sec - start.tv_sec + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
  return 0;
}
`;

/** Compiles the program into dir under `name` (frame pointers kept, no optimization); its path. */
export async function buildWaitingProgram(
  dir: string,
  name = 'furnace-waiting',
  extraFlags: string[] = [],
): Promise<string> {
  await writeFile(join(dir, 'waiting.c'), WAITING_C);
  const path = join(dir, name);
  const flags = ['-O0', '-fno-omit-frame-pointer', '-pthread', ...extraFlags];
  await run('gcc', [...flags, '-o', path, join(dir, 'waiting.c')]);
  return path;
}
