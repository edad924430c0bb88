// A perf record that does not finish its file after the stop's SIGINT is killed; the recording keeps the
// samples perf had written until then. Real perf records the hot program at 99 Hz, where its ring buffers
// alone would hold every sample until the stop; the test stops perf (SIGSTOP) just before the stop, as a
// perf that gets no CPU or waits in the kernel is, so that it cannot act on the SIGINT.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { formatFolded } from '../../core/stacks/folded.ts';
import type { SpawnFn } from '../../sidecar/host/runtime.ts';
import { commandRunner } from '../../sidecar/symbols/image-symbols.ts';
import { scriptRecording } from '../../sidecar/profilers/perf/perf-script.ts';
import { startPerfRecord } from '../../sidecar/profilers/perf/perf-runner.ts';
import { timers } from '../../sidecar/process-support.ts';
import { fileSize } from '../../sidecar/recorder-start.ts';
import { startHotProgram, samplesOf } from '../harness/hot-program.ts';
import { eventually } from '../harness/eventually.ts';
import { workDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);
const spawnChild = spawn as unknown as SpawnFn;

describe('perf record killed after its SIGINT', () => {
  it('keeps the samples perf had written, says where perf was, and perf script reads them', async (t) => {
    const dir = await workDir(t, 'perf-record-killed');
    const { target } = await startHotProgram(t, dir, 60);
    const outputFile = join(dir, 'perf.data');
    const recording = startPerfRecord(
      { spawn: spawnChild, timers, fileSize },
      {
        perfPath: 'perf',
        event: 'cpu-clock',
        frequency: 99,
        callGraph: 'fp',
        pids: [target.pid],
        systemWide: false,
        outputFile,
        durationSeconds: 60,
        maxBytes: 64 << 20,
        killAfterMs: 2000,
      },
    );
    const pid = recording.pid;
    assert.ok(pid !== undefined);
    t.after(() => {
      if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
    });
    await eventually(
      async () => ((await fileSize(outputFile)) > 0 ? true : undefined),
      20_000,
      'perf to write',
    );
    await sleep(3000);
    process.kill(pid, 'SIGSTOP');
    recording.stop();
    const result = await recording.done;

    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.ok, true, result.failure);
    assert.equal(result.reason, 'stopped');
    assert.match(
      result.warning ?? '',
      /^perf record did not finish perf.data within 2 s of its SIGINT \(it was stopped by a signal(, kernel stack | in )do_signal_stop.*\) and was killed; the recording keeps the \d+ samples perf had written by then/,
    );
    const kept = Number(/keeps the (\d+) samples/.exec(result.warning ?? '')?.[1]);
    // Up to 3 s at 99 Hz of a program that is always busy (less on a loaded machine), less the last
    // second's at most.
    assert.ok(kept >= 10, `${kept} samples kept`);
    assert.equal(existsSync(join(dir, 'perf.control')), false, 'the control FIFO is removed');

    const { stacks } = await scriptRecording(
      {
        spawn: spawnChild,
        run: commandRunner(spawnChild, process.env),
        report: () => {},
        budget: { free: () => Promise.resolve(1 << 30) },
      },
      { perfPath: 'perf', dir, buildIdDir: join(dir, 'buildid') },
    );
    const folded = formatFolded(stacks);
    assert.ok(samplesOf(folded, 'furnace_heavy') > kept / 2, folded.slice(0, 2000));
    // perf itself agrees on the count.
    const { stdout } = await run('perf', ['script', '-F', 'event', '-i', outputFile], {
      maxBuffer: 16 << 20,
    });
    assert.equal(stdout.split('\n').filter((line) => line.includes('cpu-clock')).length, kept);
  });
});
