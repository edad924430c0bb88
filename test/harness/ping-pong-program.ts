// A C program that blocks as often as a busy server and counts its own CPU: two threads (`pingpong`, both
// pinned by the caller to one CPU) hand a byte back and forth through two pipes, each computing a fixed
// amount (about 20 µs, calibrated at start) before handing it on, so each hand-off is one blocking switch
// (a read() that waits about 20 µs, above the off-CPU recorder's 10-µs minimum). Every 200 ms it prints the
// hand-offs so far and the process's CPU time (ns) so far; bench:offcpu divides the two over a window:
// recorded against unrecorded, the difference is what the recorder adds to one blocking switch, measured
// in the program's own CPU time (the switches between its two threads, and the probes they run, are
// charged to it), which a shared machine's load moves far less than a throughput.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

const PING_PONG_C = `#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
static int there[2], back[2];
static volatile long spin;
static volatile unsigned long sink, handoffs;
__attribute__((noinline)) static void burn(void) {
  unsigned long x = 0;
  long n = spin;
  for (long i = 0; i < n; i++) x = x * 31 + (unsigned long)i;
  sink = x;
}
static double seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static void *peer(void *arg) {
  char c;
  (void)arg;
  while (read(there[0], &c, 1) == 1) {
    burn();
    if (write(back[1], &c, 1) != 1) break;
  }
  return 0;
}
static void *report(void *arg) {
  (void)arg;
  for (;;) {
    usleep(200000);
    printf("%lu %.0f\\n", handoffs, seconds(CLOCK_PROCESS_CPUTIME_ID) * 1e9);
    fflush(stdout);
  }
}
int main(void) {
  spin = 5000000;
  double t0 = seconds(CLOCK_THREAD_CPUTIME_ID);
  burn();
  double perLoop = (seconds(CLOCK_THREAD_CPUTIME_ID) - t0) / (double)spin;
  spin = perLoop > 0 ? (long)(20e-6 / perLoop) : 60000;
  if (pipe(there) || pipe(back)) return 1;
  pthread_t t, r;
  pthread_create(&t, 0, peer, 0);
  pthread_create(&r, 0, report, 0);
  char c = 'x';
  for (;;) {
    if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1) return 1;
    burn();
    handoffs += 2;
  }
}
`;

/** Builds the program in `dir`; its path. */
export async function buildPingPongProgram(dir: string): Promise<string> {
  const source = join(dir, 'pingpong.c');
  const binary = join(dir, 'pingpong');
  await writeFile(source, PING_PONG_C);
  await run('gcc', ['-O2', '-fno-omit-frame-pointer', '-pthread', '-o', binary, source]);
  return binary;
}

/** The last report the program printed: hand-offs and CPU ns so far. */
export function lastPingPongReport(output: string): { handoffs: number; cpuNs: number } {
  const line = output.trim().split('\n').at(-1) ?? '';
  const [handoffs, cpuNs] = line.split(' ').map(Number);
  if (handoffs === undefined || cpuNs === undefined || Number.isNaN(handoffs + cpuNs))
    throw new Error(`the ping-pong program printed no report: ${JSON.stringify(output.slice(-200))}`);
  return { handoffs, cpuNs };
}
