// A real, mixed recording for the stop → graph and collapse-perf benchmarks: a C program (deep
// recursion, write(2) into /dev/null, so kernel frames too) and a Node program run with
// --perf-basic-prof (JIT frames from /tmp/perf-PID.map), recorded system-wide on every core at 999 Hz
// with call graphs, as the sidecar records (`-e cpu-clock -g`, `--buildid-mmap` on kernels ≥ 5.12).
import { once } from 'node:events';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawn, type ChildProcess } from '../harness/child-processes.ts';
import { C_WORKLOAD_FUNCTIONS } from './c-workload.ts';
import { performance } from 'node:perf_hooks';

const C_PROGRAM = `${C_WORKLOAD_FUNCTIONS}__attribute__((noinline)) void render_output(int fd) { write_out(fd, 4000); hash_block(200000); }
int main(void) {
  int fd = open("/dev/null", O_WRONLY);
  for (;;) { parse_input(300000); render_output(fd); }
}
`;

const NODE_PROGRAM = `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
function parse(s) { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h; }
function render(n) { const parts = []; for (let i = 0; i < n; i++) parts.push(JSON.stringify({ i, v: i * 2 })); return parts.join(','); }
function handle(k) { return k % 3 === 0 ? fib(22) : k % 3 === 1 ? parse(render(300)) : render(800).length; }
for (let k = 0; ; k++) handle(k);
`;

export interface MixedRecording {
  /** perf.data of the recording. */
  data: string;
  /** From SIGINT to perf record's exit: what a stop waits for before perf script can start. */
  flushMs: number;
  bytes: number;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Records the two programs (and whatever else runs) for `seconds` into dir/perf.data. */
export async function recordMixed(dir: string, seconds: number): Promise<MixedRecording> {
  writeFileSync(join(dir, 'mixed.c'), C_PROGRAM);
  writeFileSync(join(dir, 'mixed.js'), NODE_PROGRAM);
  execFileSync('gcc', ['-O0', '-fno-omit-frame-pointer', '-o', join(dir, 'mixed-c'), join(dir, 'mixed.c')]);
  const programs = [
    spawn(join(dir, 'mixed-c'), [], { stdio: 'ignore' }),
    spawn(process.execPath, ['--perf-basic-prof', join(dir, 'mixed.js')], { stdio: 'ignore' }),
  ];
  const data = join(dir, 'perf.data');
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const perf = spawn(
      'perf',
      ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-g', '-a', '--buildid-mmap', '-o', data],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const exited = once(perf, 'exit');
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const t = performance.now();
    perf.kill('SIGINT');
    await exited;
    const flushMs = performance.now() - t;
    return { data, flushMs, bytes: statSync(data).size };
  } finally {
    for (const program of programs) await stopChild(program);
  }
}
