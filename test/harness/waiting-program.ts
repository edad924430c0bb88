// The C program that tests off-CPU and wall-clock recording: it waits in known ways. Its threads, each
// named `<prefix>_<role>` (the prefix is its second argument, so two copies can be told apart):
//   main  (`<prefix>_burn`)  computes in burn() all the time and never blocks;
//   read  blocks in read() on a pipe that the feed thread writes one byte into every 10 ms;
//   feed  sleeps in nanosleep() 10 ms between writes;
//   sleep sleeps in nanosleep() 5 ms at a time.
// So of the time blocked, a third is read's (one thread) and two thirds nanosleep's (two threads).
// A third argument of 0 leaves out the computing thread (the main thread becomes the sleeper, so the process
// keeps a live leader: a recorder finds a process by its leader's /proc entries): under a CPU limit
// the computing thread would spend the quota and the whole cgroup would be throttled, the feed thread
// with it, so read() would wait for the throttle as well as the 10 ms (in a pod, the limit is the container's).
// The program keeps its own accounting: the time (CLOCK_MONOTONIC) its threads spent inside burn(), read()
// and nanosleep(), summed over the threads. With a fourth argument, a file path, the computing thread
// writes it there every 100 ms as one line (parseWaitingAccount reads it); bench:wall-accuracy compares it
// with the wall graph.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

const WAITING_C = `#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static int fds[2];
static const char *prefix = "fw";
volatile unsigned long sink;
static unsigned long long in_burn, in_read, in_nanosleep;
static unsigned long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (unsigned long long)t.tv_sec * 1000000000ULL + (unsigned long long)t.tv_nsec;
}
static void account(unsigned long long *total, unsigned long long since) {
  __atomic_add_fetch(total, now_ns() - since, __ATOMIC_RELAXED);
}
static void name_thread(const char *role) {
  char name[16];
  snprintf(name, sizeof name, "%s_%s", prefix, role);
  pthread_setname_np(pthread_self(), name);
}
static void nap(long ns) {
  struct timespec t = { 0, ns };
  unsigned long long since = now_ns();
  nanosleep(&t, NULL);
  account(&in_nanosleep, since);
}
__attribute__((noinline)) void burn(void) { for (unsigned long i = 0; i < 1000000UL; i++) sink += i; }
__attribute__((noinline)) void *reader(void *unused) {
  char byte;
  name_thread("read");
  for (;;) {
    unsigned long long since = now_ns();
    ssize_t got = read(fds[0], &byte, 1);
    account(&in_read, since);
    if (got != 1) break;
  }
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
/** One line: the clock and the three totals (ns), at fixed width so that each write replaces the last whole. */
static void write_account(int fd) {
  char line[96];
  int n = snprintf(line, sizeof line, "%020llu %020llu %020llu %020llu\\n", now_ns(),
                   __atomic_load_n(&in_burn, __ATOMIC_RELAXED), __atomic_load_n(&in_read, __ATOMIC_RELAXED),
                   __atomic_load_n(&in_nanosleep, __ATOMIC_RELAXED));
  if (n > 0 && pwrite(fd, line, (size_t)n, 0) != n) _exit(3);
}
int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 60.0;
  if (argc > 2) prefix = argv[2];
  int burning = argc > 3 ? atoi(argv[3]) : 1;
  int account_fd = argc > 4 ? open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
  if (argc > 4 && account_fd < 0) return 2;
  if (pipe(fds) != 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, reader, NULL);
  pthread_create(&t, NULL, feeder, NULL);
  if (!burning) return sleeper(NULL) == NULL;
  pthread_create(&t, NULL, sleeper, NULL);
  name_thread("burn");
  unsigned long long start = now_ns(), written = 0, now = start;
  do {
    burn();
    account(&in_burn, now);
    now = now_ns();
    if (account_fd >= 0 && now - written >= 100000000ULL) {
      write_account(account_fd);
      written = now;
      now = now_ns();
    }
  } while ((now - start) / 1e9 < seconds);
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

/** The program's own accounting at one moment: its clock and the time its threads spent in each call (ns). */
export interface WaitingAccount {
  atNs: number;
  burnNs: number;
  readNs: number;
  nanosleepNs: number;
}

/** The line the program writes to its accounting file; undefined for a text that is not one whole line. */
export function parseWaitingAccount(text: string): WaitingAccount | undefined {
  const match = /^(\d{20}) (\d{20}) (\d{20}) (\d{20})\n$/.exec(text);
  if (match === null) return undefined;
  const [atNs, burnNs, readNs, nanosleepNs] = match.slice(1).map(Number) as [number, number, number, number];
  return { atNs, burnNs, readNs, nanosleepNs };
}
