// A recording's duration counts from the moment real perf (6.1) says its events are on: its ack on the
// control FIFO. perf writes perf.data's header before it synthesizes its targets' maps and turns its events
// on; a perf held up there (here by SIGSTOP, on a node by load) must still record its whole duration. And
// with enableAt, perf starts with its events off and turns them on at that instant: a program busy in one
// function before it and in another after has samples of the second only, with their frames named.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { SpawnFn } from '../../sidecar/host/runtime.ts';
import { startPerfRecord } from '../../sidecar/profilers/perf/perf-runner.ts';
import { timers } from '../../sidecar/process-support.ts';
import { fileSize } from '../../sidecar/recorder-start.ts';
import { execFile, spawn } from '../harness/child-processes.ts';
import { startHotProgram } from '../harness/hot-program.ts';
import { eventually } from '../harness/eventually.ts';
import { startProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);
const spawnChild = spawn as unknown as SpawnFn;
const HZ = 99;
const TICKS_PER_SECOND = 100;

function record(outputFile: string, pid: number, more: { durationSeconds: number; enableAt?: number }) {
  return startPerfRecord(
    { spawn: spawnChild, timers, fileSize },
    {
      perfPath: 'perf',
      event: 'cpu-clock',
      frequency: HZ,
      callGraph: 'fp',
      pids: [pid],
      systemWide: false,
      outputFile,
      maxBytes: 64 << 20,
      ...more,
    },
  );
}

/** The CPU time a process has had, s (utime + stime from /proc/PID/stat). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Each sample's time (s, perf's clock) and the symbol of its innermost frame. */
async function samples(file: string): Promise<{ time: number; symbol: string }[]> {
  // -G: no call chains, one line a sample ("  61897.189119:      557a0fbf4159 furnace_heavy").
  const { stdout } = await run('perf', ['script', '-F', 'time,ip,sym', '-G', '-i', file], {
    maxBuffer: 64 << 20,
  });
  return stdout.split('\n').flatMap((line) => {
    const match = /^\s*(\d+\.\d+):\s+[0-9a-f]+\s+(\S+)/.exec(line);
    return match === null ? [] : [{ time: Number(match[1]), symbol: match[2] ?? '' }];
  });
}

function killAfter(t: TestContext, pid: number | undefined): void {
  t.after(() => {
    if (pid === undefined || !existsSync(`/proc/${pid}`)) return;
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGKILL');
  });
}

/** Busy in phase_before for argv[1] s, then in phase_after until argv[2] s have passed. */
const PHASES_C = `#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
__attribute__((noinline)) void phase_before(void) { for (unsigned long i = 0; i < 1000000UL; i++) sink += i; }
__attribute__((noinline)) void phase_after(void) { for (unsigned long i = 0; i < 1000000UL; i++) sink += i; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
  double start = now(), turn = start + atof(argv[1]), end = start + atof(argv[2]);
  while (now() < turn) phase_before();
  while (now() < end) phase_after();
  return 0;
}
`;

describe('perf record from its events on (real perf)', () => {
  it('records its whole duration when perf is held up after writing perf.data’s header (SIGSTOP 3 s)', async (t) => {
    const dir = await workDir(t, 'perf-record-ack-held');
    const { target } = await startHotProgram(t, dir, 60);
    const outputFile = join(dir, 'perf.data');
    const recording = record(outputFile, target.pid, { durationSeconds: 2 });
    killAfter(t, recording.pid);
    assert.ok(recording.pid !== undefined);
    await eventually(async () => ((await fileSize(outputFile)) > 0 ? true : undefined), 20_000, 'perf.data');
    process.kill(recording.pid, 'SIGSTOP');
    await sleep(3000);
    process.kill(recording.pid, 'SIGCONT');
    await recording.enabled;
    const cpuFrom = await cpuSeconds(target.pid);
    await sleep(2000);
    const cpu = (await cpuSeconds(target.pid)) - cpuFrom;
    const result = await recording.done;
    assert.equal(result.ok, true, result.stderr);
    assert.equal(result.reason, 'deadline');

    // At 99 Hz, a sample per 10.1 ms of the target's CPU time, measured over the 2 s from perf's events on:
    // on a loaded machine the target has less CPU, and fewer samples.
    const taken = await samples(outputFile);
    const expected = cpu * HZ;
    assert.ok(cpu >= 0.05, `the target had ${cpu} s of CPU in 2 s: the machine is too loaded to judge`);
    assert.ok(taken.length >= 0.6 * expected, `${taken.length} samples, ${expected.toFixed(0)} expected`);
    const span = (taken.at(-1)?.time ?? 0) - (taken[0]?.time ?? 0);
    assert.ok(span >= 1, `the samples span ${span.toFixed(2)} s of the 2 s`);
    assert.equal(existsSync(join(dir, 'perf.control')), false, 'the control FIFO is removed');
    assert.equal(existsSync(join(dir, 'perf.ack')), false, 'the ack FIFO is removed');
  });

  it('with enableAt, records from that instant only, its frames named', async (t) => {
    const dir = await workDir(t, 'perf-record-ack-enable-at');
    await writeFile(join(dir, 'phases.c'), PHASES_C);
    const program = join(dir, 'furnace-phases');
    await run('gcc', ['-O0', '-fno-omit-frame-pointer', '-o', program, join(dir, 'phases.c')]);
    // phase_after from 3 s on; perf's events on from 3.5 s, for 2 s.
    const target = startProcess(t, program, ['3', '30']);
    const enableAt = Date.now() + 3500;
    const outputFile = join(dir, 'perf.data');
    const recording = record(outputFile, target.pid, { durationSeconds: 2, enableAt });
    killAfter(t, recording.pid);
    const enabledAt = await recording.enabled;
    const cpuFrom = await cpuSeconds(target.pid);
    await sleep(2000);
    const cpu = (await cpuSeconds(target.pid)) - cpuFrom;
    const result = await recording.done;
    assert.equal(result.ok, true, result.stderr);
    assert.equal(result.warning, undefined);
    assert.ok(
      enabledAt !== undefined && enabledAt >= enableAt,
      `events on at ${enabledAt}, asked ${enableAt}`,
    );

    const taken = await samples(outputFile);
    const symbols = new Set(taken.map((s) => s.symbol));
    assert.ok(!symbols.has('phase_before'), `no sample before enableAt: ${[...symbols].join(', ')}`);
    const after = taken.filter((s) => s.symbol === 'phase_after').length;
    assert.ok(cpu >= 0.05, `the target had ${cpu} s of CPU in 2 s: the machine is too loaded to judge`);
    assert.ok(after >= 0.6 * cpu * HZ, `${after} samples in phase_after of ${taken.length}, ${cpu} s of CPU`);
  });

  it('with enableAt, a stop before it ends perf with no samples, saying so', async (t) => {
    const dir = await workDir(t, 'perf-record-ack-stop-early');
    const { target } = await startHotProgram(t, dir, 60);
    const outputFile = join(dir, 'perf.data');
    const recording = record(outputFile, target.pid, { durationSeconds: 2, enableAt: Date.now() + 60_000 });
    killAfter(t, recording.pid);
    await eventually(async () => ((await fileSize(outputFile)) > 0 ? true : undefined), 20_000, 'perf.data');
    await sleep(500);
    recording.stop();
    const result = await recording.done;
    assert.equal(result.ok, true, result.stderr);
    assert.equal(result.reason, 'stopped');
    assert.match(result.warning ?? '', /^perf's events never went on \(they were to at .*\): .* no samples$/);
    assert.equal(await recording.enabled, undefined);
    assert.equal((await samples(outputFile)).length, 0);
  });
});
