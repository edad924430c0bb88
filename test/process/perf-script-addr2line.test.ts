// perf script outlives an addr2line that quits: real perf records a hot program built with debug lines,
// and real perf script asks addr2line for every frame's source line (the srcline field). The addr2line it
// finds is a fake, first on PATH, that exits at once, as a real one does on a binary it cannot read (one
// in another pod's mount namespace, one replaced since the recording). perf's next write to it used to
// kill perf script by SIGPIPE and fail the recording; it now gets EPIPE, every sample keeps its symbol
// names, and the recording warns which binary had no source lines.
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, it, type TestContext } from 'node:test';
import type { SpawnFn } from '../../sidecar/host/runtime.ts';
import {
  launchPerfScript,
  preparePerfScript,
  type LaunchedScript,
} from '../../sidecar/profilers/perf/perf-script-launch.ts';
import {
  PERF_SCRIPT_FIELDS,
  perfScriptArgs,
  perfScriptCommand,
  scriptRecording,
} from '../../sidecar/profilers/perf/perf-script.ts';
import { formatFolded } from '../../core/stacks/folded.ts';
import { commandRunner } from '../../sidecar/symbols/image-symbols.ts';
import { spawn } from '../harness/child-processes.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { run } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

const realSpawn = spawn as unknown as SpawnFn;

/** A recording of the hot program built with -g (so perf looks for its source lines), and a fake addr2line. */
async function recordWithFakeAddr2line(t: TestContext, name: string) {
  const dir = await workDir(t, name);
  const program = await buildHotProgram(dir, ['-g'], 'furnace-lines');
  const data = join(dir, 'perf.data');
  await run('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '499', '-g', '-o', data, '--', program, '1']);
  const fakeBin = join(dir, 'fake-bin');
  await mkdir(fakeBin);
  await writeFile(join(fakeBin, 'addr2line'), '#!/bin/sh\nexit 0\n');
  await chmod(join(fakeBin, 'addr2line'), 0o755);
  const withFake: SpawnFn = (command, args, options) =>
    realSpawn(command, args, { ...options, env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` } });
  const args = perfScriptArgs(data, join(dir, 'buildid')).map((arg) =>
    arg === PERF_SCRIPT_FIELDS ? `${arg},srcline` : arg,
  );
  return { spawn: withFake, command: perfScriptCommand('perf', args), data };
}

/** Samples (their header lines) and the frames named furnace_heavy in perf script's text. */
function countSamples(output: string): { samples: number; heavy: number } {
  const lines = output.split('\n');
  return {
    samples: lines.filter((line) => /^\S.*cpu-clock:/.test(line)).length,
    heavy: lines.filter((line) => /^\s+[0-9a-f]+ furnace_heavy \(/.test(line)).length,
  };
}

/** The samples perf script gives without source lines (no addr2line at all). */
async function samplesWithoutLines(data: string): Promise<{ samples: number; heavy: number }> {
  const { stdout } = await run('perf', ['script', '-i', data, '-F', PERF_SCRIPT_FIELDS]);
  return countSamples(stdout);
}

async function assertOutlivesAddr2line(launched: LaunchedScript, data: string): Promise<void> {
  const output = await text(launched.child.stdout!);
  const code = await launched.exited;
  assert.equal(launched.signal(), null, `perf script was killed: ${launched.stderr()}`);
  assert.equal(code, 0, launched.stderr());
  assert.match(launched.stderr(), /addr2line .*furnace-lines|addr2line .*\.build-id/, 'perf met the fake');
  const got = countSamples(output);
  const expected = await samplesWithoutLines(data);
  assert.ok(expected.heavy > 0, 'the recording has furnace_heavy samples');
  assert.deepEqual(got, expected, 'every sample, with its symbol names');
}

describe('perf script and an addr2line that quits (a fake addr2line first on PATH)', () => {
  it('perf script started at the stop ends with every sample named by symbol', async (t) => {
    const { spawn: withFake, command, data } = await recordWithFakeAddr2line(t, 'addr2line-launch');
    await assertOutlivesAddr2line(launchPerfScript(withFake, command, undefined), data);
  });

  it('a recording whose perf script met it ends with its stacks, warning which binary had no lines', async (t) => {
    const { spawn: withFake, command, data } = await recordWithFakeAddr2line(t, 'addr2line-recording');
    let started = 0;
    const counting: SpawnFn = (name, args, options) => {
      if (args.includes('script')) started += 1;
      return withFake(name, args, options);
    };
    const warnings: string[] = [];
    const { stacks } = await scriptRecording(
      {
        spawn: counting,
        run: commandRunner(realSpawn, process.env),
        report: (event) => {
          if (event.type === 'warning') warnings.push(event.message);
        },
        budget: { free: () => Promise.resolve(1 << 30) },
      },
      {
        perfPath: 'perf',
        dir: dirname(data),
        buildIdDir: join(dirname(data), 'buildid'),
        prepared: preparePerfScript(counting, command),
      },
    );
    assert.equal(started, 1, 'perf script ran once: it was not killed');
    assert.equal(samplesOf(formatFolded(stacks), 'furnace_heavy'), (await samplesWithoutLines(data)).heavy);
    assert.ok(
      warnings.some((warning) =>
        /^addr2line could not read \S+ \(perf: could not (read first record|send request)\): its frames are named by symbol/.test(
          warning,
        ),
      ),
      JSON.stringify(warnings),
    );
  });

  it('perf script started ahead of the stop ends with every sample named by symbol', async (t) => {
    const { spawn: withFake, command, data } = await recordWithFakeAddr2line(t, 'addr2line-ahead');
    await assertOutlivesAddr2line(preparePerfScript(withFake, command).go(undefined), data);
  });
});
