// A perf record that does not finish its file after the stop's SIGINT is killed; the recording keeps the
// samples perf had written until then. Real perf records the hot program at 99 Hz, where its ring buffers
// alone would hold every sample until the stop; the test stops perf (SIGSTOP) just before the stop, as a
// perf that gets no CPU or waits in the kernel is, so that it cannot act on the SIGINT. And a perf killed
// with the recorder, with no SIGINT first (an OOM kill of the container), leaves samples that the
// restarted recorder finishes the recording from.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { formatFolded } from '../../core/stacks/folded.ts';
import type { SpawnFn } from '../../sidecar/host/runtime.ts';
import { commandRunner } from '../../sidecar/symbols/image-symbols.ts';
import type { RecordingEvent } from '../../sidecar/recording-events.ts';
import { resumePerf } from '../../sidecar/profilers/perf/perf-resume.ts';
import { scriptRecording } from '../../sidecar/profilers/perf/perf-script.ts';
import { startPerfRecord } from '../../sidecar/profilers/perf/perf-runner.ts';
import { timers } from '../../sidecar/process-support.ts';
import { fileSize } from '../../sidecar/recorder-start.ts';
import { execFile, spawn } from '../harness/child-processes.ts';
import { startHotProgram, samplesOf } from '../harness/hot-program.ts';
import { eventually } from '../harness/eventually.ts';
import { perfParams } from '../harness/recording-status.ts';
import { identifySpawned, type ProcessIdentity } from '../harness/process-identity.ts';
import { signalProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);
const spawnChild = spawn as unknown as SpawnFn;

/** perf record at 99 Hz on the hot program, as the sidecar runs it, killed after `killAfterMs` of a SIGINT. */
function recordHot(outputFile: string, pid: number, killAfterMs = 15_000) {
  const recording = startPerfRecord(
    { spawn: spawnChild, timers, fileSize },
    {
      perfPath: 'perf',
      event: 'cpu-clock',
      frequency: 99,
      callGraph: 'fp',
      pids: [pid],
      systemWide: false,
      outputFile,
      durationSeconds: 60,
      maxBytes: 64 << 20,
      killAfterMs,
    },
  );
  assert.ok(recording.pid !== undefined);
  // perf's PID with its start time, read before this process can reap it.
  return { recording, perf: identifySpawned(recording.pid, 'perf record') };
}

/** Waits for perf's first bytes, then lets it record for 3 s. */
async function threeSeconds(t: TestContext, outputFile: string, perf: ProcessIdentity): Promise<void> {
  t.after(() => {
    signalProcess(perf, 'SIGKILL');
  });
  await eventually(
    async () => ((await fileSize(outputFile)) > 0 ? true : undefined),
    20_000,
    'perf to write',
  );
  await sleep(3000);
}

const pipeline = {
  spawn: spawnChild,
  run: commandRunner(spawnChild, process.env),
  budget: { limitBytes: 1 << 30, free: () => Promise.resolve(1 << 30), reserve: () => () => {} },
};

/** Samples in perf.data, as perf script counts them. */
async function perfCount(file: string): Promise<number> {
  const { stdout } = await run('perf', ['script', '-F', 'event', '-i', file], { maxBuffer: 16 << 20 });
  return stdout.split('\n').filter((line) => line.includes('cpu-clock')).length;
}

describe('perf record killed', () => {
  it('after its SIGINT keeps the samples perf had written, says where perf was, and perf script reads them', async (t) => {
    const dir = await workDir(t, 'perf-record-killed');
    const { target } = await startHotProgram(t, dir, 60);
    const outputFile = join(dir, 'perf.data');
    const { recording, perf } = recordHot(outputFile, target.pid, 2000);
    await threeSeconds(t, outputFile, perf);
    assert.ok(signalProcess(perf, 'SIGSTOP'), 'perf record runs');
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
      { ...pipeline, report: () => {} },
      { perfPath: 'perf', dir, buildIdDir: join(dir, 'buildid') },
    );
    const folded = formatFolded(stacks);
    assert.ok(samplesOf(folded, 'furnace_heavy') > kept / 2, folded.slice(0, 2000));
    assert.equal(await perfCount(outputFile), kept, 'perf itself counts as many');
  });

  it('with the recorder (no SIGINT), leaves the samples it had written, which the restarted recorder finishes from', async (t) => {
    const dir = await workDir(t, 'perf-record-killed-with-recorder');
    const { target } = await startHotProgram(t, dir, 60);
    const outputFile = join(dir, 'perf.data');
    const { recording, perf } = recordHot(outputFile, target.pid);
    await threeSeconds(t, outputFile, perf);
    assert.ok(signalProcess(perf, 'SIGKILL'), 'perf record runs');
    await recording.done;

    const events: RecordingEvent[] = [];
    const resumed = await resumePerf(
      { ...pipeline, perfPath: 'perf', maxScriptBytes: 1 << 30, timers, sleep },
      {
        id: 'killed',
        dir,
        params: perfParams(60),
        targets: [{ pid: target.pid, comm: 'furnace-hot' }],
        waitMs: 500,
      },
      { report: (event) => void events.push(event) },
    );
    assert.ok(resumed !== undefined);
    const { stacks } = await resumed.done;
    const warnings = events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    const kept = Number(/keeps the (\d+) samples/.exec(warnings[0] ?? '')?.[1]);
    assert.match(
      warnings[0] ?? '',
      /^perf did not finish perf.data \(it was killed with the recorder, before it could write it out\); the recording keeps the \d+ samples/,
    );
    assert.ok(kept >= 10, `${kept} samples kept`);
    assert.ok(stacks !== undefined);
    assert.ok(samplesOf(formatFolded(stacks), 'furnace_heavy') > kept / 2);
    assert.equal(await perfCount(outputFile), kept, 'perf itself counts as many');
  });
});
