// The C workload both collapse benchmarks record: a few noinline functions with recursion, so that perf
// script prints stacks of varied depth; each benchmark adds its own render_output and main.
export const C_WORKLOAD_FUNCTIONS = `#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
volatile unsigned long sink;
__attribute__((noinline)) void hash_block(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink = sink * 31 + i; }
__attribute__((noinline)) void sort_small(unsigned long n) {
  int a[64];
  for (unsigned long r = 0; r < n / 64; r++) {
    for (int i = 0; i < 64; i++) a[i] = (int)((i * 7919 + r) % 64);
    for (int i = 1; i < 64; i++) { int v = a[i], j = i - 1; while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; } a[j + 1] = v; }
    sink += a[0];
  }
}
__attribute__((noinline)) void write_out(int fd, int n) { char b[256]; memset(b, 'x', sizeof b); for (int i = 0; i < n; i++) if (write(fd, b, sizeof b) < 0) exit(1); }
__attribute__((noinline)) void recurse(int depth, unsigned long n) {
  if (depth == 0) { hash_block(n); sort_small(n / 4); return; }
  if (depth % 3 == 0) hash_block(n / 8);
  recurse(depth - 1, n);
}
__attribute__((noinline)) void parse_input(unsigned long n) { for (int k = 0; k < 4; k++) recurse(6 + k, n); }
`;
