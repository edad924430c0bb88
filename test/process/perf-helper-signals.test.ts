// A helper that dies of a signal it did not ask for (a terminal's Ctrl-C, an OOM kill) does not fail a
// recording whose perf.data is whole: real perf records the hot program, and the real helper processes
// get a real signal from outside, as the Ctrl-C of issue 44 gave them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { formatFolded } from '../../core/stacks/folded.ts';
import type { ChildLike, SpawnFn } from '../../sidecar/host/runtime.ts';
import { commandRunner } from '../../sidecar/symbols/image-symbols.ts';
import { perfScriptCommandFor, scriptRecording } from '../../sidecar/profilers/perf/perf-script.ts';
import { preparePerfScript } from '../../sidecar/profilers/perf/perf-script-launch.ts';
import { startPerfRecord } from '../../sidecar/profilers/perf/perf-runner.ts';
import { timers } from '../../sidecar/process-support.ts';
import { fileSize } from '../../sidecar/recorder-start.ts';
import { spawn, execFile } from '../harness/child-processes.ts';
import { buildHotProgram, samplesOf, startHotProgram } from '../harness/hot-program.ts';
import { eventually } from '../harness/eventually.ts';
import { workDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);
const spawnChild = spawn as unknown as SpawnFn;

async function recordOneSecond(dir: string): Promise<void> {
  const program = await buildHotProgram(dir);
  const data = join(dir, 'perf.data');
  await run('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '499', '-g', '-o', data, '--', program, '1']);
}

/** Spawns as the sidecar does; the first `perf script` (or its waiting shell) started gets `signal` at once. */
function killingFirstScript(signal: NodeJS.Signals): { spawn: SpawnFn; started: () => number } {
  let started = 0;
  const wrapped: SpawnFn = (command, args, options) => {
    const child: ChildLike = spawnChild(command, args, options);
    const isScript = args.includes('script');
    if (isScript) started += 1;
    if (isScript && started === 1) child.kill(signal);
    return child;
  };
  return { spawn: wrapped, started: () => started };
}

function pipelineDeps(spawnFn: SpawnFn) {
  return {
    spawn: spawnFn,
    run: commandRunner(spawnChild, process.env),
    report: () => {},
    budget: { free: () => Promise.resolve(1 << 30) },
  };
}

describe('perf helpers killed by a signal', () => {
  it('perf script killed by SIGINT while it runs is run again, and the stacks are whole', async (t) => {
    const dir = await workDir(t, 'perf-script-sigint');
    await recordOneSecond(dir);
    const killing = killingFirstScript('SIGINT');
    const { stacks } = await scriptRecording(pipelineDeps(killing.spawn), {
      perfPath: 'perf',
      dir,
      buildIdDir: join(dir, 'buildid'),
    });
    assert.equal(killing.started(), 2, 'perf script ran a second time');
    assert.ok(samplesOf(formatFolded(stacks), 'furnace_heavy') > 0, formatFolded(stacks));
  });

  it('the perf script started ahead, killed by SIGINT while it waits for the stop, is run again', async (t) => {
    const dir = await workDir(t, 'perf-script-ahead-sigint');
    await recordOneSecond(dir);
    const killing = killingFirstScript('SIGINT');
    const command = perfScriptCommandFor('perf', join(dir, 'perf.data'), join(dir, 'buildid'));
    const prepared = preparePerfScript(killing.spawn, command);
    await sleep(200); // the shell has died of it before the stop
    const { stacks } = await scriptRecording(pipelineDeps(killing.spawn), {
      perfPath: 'perf',
      dir,
      buildIdDir: join(dir, 'buildid'),
      prepared,
    });
    assert.equal(killing.started(), 2);
    assert.ok(samplesOf(formatFolded(stacks), 'furnace_heavy') > 0);
  });

  it('perf record ended by a SIGINT from outside is a recording that ended, not one that failed', async (t) => {
    const dir = await workDir(t, 'perf-record-sigint');
    const { target } = await startHotProgram(t, dir, 60);
    const outputFile = join(dir, 'perf.data');
    const recording = startPerfRecord(
      { spawn: spawnChild, timers, fileSize },
      {
        perfPath: 'perf',
        event: 'cpu-clock',
        frequency: 199,
        callGraph: 'fp',
        pids: [target.pid],
        systemWide: false,
        outputFile,
        durationSeconds: 30,
        maxBytes: 64 << 20,
      },
    );
    await eventually(
      async () => ((await fileSize(outputFile)) > 0 ? true : undefined),
      10_000,
      'perf to write',
    );
    await sleep(1000);
    assert.ok(recording.pid !== undefined);
    process.kill(recording.pid, 'SIGINT');
    const result = await recording.done;
    assert.equal(result.signal, 'SIGINT');
    assert.equal(result.ok, true, result.stderr);
    assert.equal(result.reason, 'interrupted');
  });

  it('perf script killed by SIGKILL with a perf.data that is not whole still fails, saying how', async (t) => {
    const dir = await workDir(t, 'perf-script-no-data');
    await recordOneSecond(dir);
    // Cut the header's data size to 0, as a perf killed before it finished the file leaves it.
    const { open } = await import('node:fs/promises');
    const handle = await open(join(dir, 'perf.data'), 'r+');
    await handle.write(Buffer.alloc(8), 0, 8, 48);
    await handle.close();
    const killing = killingFirstScript('SIGKILL');
    await assert.rejects(
      scriptRecording(pipelineDeps(killing.spawn), {
        perfPath: 'perf',
        dir,
        buildIdDir: join(dir, 'buildid'),
      }),
      /perf script failed \(killed by SIGKILL\)/,
    );
    assert.equal(killing.started(), 1);
  });
});
