// Stripped binaries named by build id from a real debuginfod server (Debian's, on loopback) through the real
// sidecar and real perf: the server is asked once, the second recording of the binary takes its debug file
// from the recorder's cache, and a binary no server knows stays unnamed with a warning that says so.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { startDebuginfod, type DebuginfodServer } from '../harness/debuginfod-server.ts';
import { samplesOf } from '../harness/hot-program.ts';
import { startProcess } from '../harness/processes.ts';
import { buildStrippedC, buildStrippedGo } from '../harness/stripped-programs.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar, type SidecarProcess } from './sidecar-harness.ts';

const SECRET = 'debuginfod-symbols-secret';

async function sidecarWith(t: TestContext, server: DebuginfodServer): Promise<SidecarProcess> {
  return (await startRegisteredSidecar(t, SECRET, { DEBUGINFOD_URLS: server.url })).sidecar;
}

async function record(
  sidecar: SidecarProcess,
  pid: number,
): Promise<{ status: RecordingStatus; folded: string }> {
  const status = await sidecar.record({ pid, durationSeconds: 2, frequency: 199, callGraph: 'fp' });
  assert.equal(status.state, 'done', status.error);
  return { status, folded: await sidecar.artifact(status.id, 'stacks.folded') };
}

/** The share of all samples whose stack holds one of the functions. */
function share(folded: string, functions: string[]): number {
  const total = totalSamples(parseFolded(folded));
  assert.ok(total > 0, 'samples');
  return functions.reduce((sum, fn) => sum + samplesOf(folded, fn), 0) / total;
}

const warnings = (status: RecordingStatus): string => (status.warnings ?? []).join('\n');

describe('symbols of stripped binaries from debuginfod (real debuginfod, real perf, real sidecar)', () => {
  it('names every frame of a stripped C program from the server once, then from the cache; an unknown build id stays unnamed', async (t) => {
    const dir = await workDir(t, 'debuginfod-c');
    const served = await buildStrippedC(dir, `served${process.pid}`);
    const unknown = await buildStrippedC(dir, `unknown${process.pid}`);
    const server = await startDebuginfod(t);
    await server.serve(served.debugFile, served.buildId);
    const sidecar = await sidecarWith(t, server);

    // No server has the debug file: perf has nothing to name its frames with, and the status says so.
    const bare = await record(sidecar, startProcess(t, unknown.program, ['30', '50']).pid);
    assert.equal(share(bare.folded, ['furnace_heavy', 'furnace_light', 'main']), 0, bare.folded);
    assert.match(
      warnings(bare.status),
      new RegExp(
        `no debug file for stripped ${unknown.program} \\(build id ${unknown.buildId}: not uploaded to the namespace; ${server.url}: HTTP 404\\)`,
      ),
    );

    const target = startProcess(t, served.program, ['30', '50']).pid;
    const first = await record(sidecar, target);
    const hot = share(first.folded, ['furnace_heavy', 'furnace_light']);
    assert.ok(
      hot >= 0.8,
      `${Math.round(hot * 100)} % of the samples in the named hot functions:\n${first.folded}`,
    );
    assert.ok(share(first.folded, ['main']) >= 0.8, 'the hot stacks reach main');
    const heavy = samplesOf(first.folded, 'furnace_heavy') / samplesOf(first.folded, 'furnace_light');
    assert.ok(
      heavy > 1.5 && heavy < 6,
      `furnace_heavy does three times furnace_light's work: ${heavy.toFixed(2)}×`,
    );
    assert.match(
      warnings(first.status),
      new RegExp(`symbols of stripped ${served.program} from ${server.url}`),
    );
    assert.equal(server.requests(served.buildId), 1, 'the recorder asked the server once');

    const second = await record(sidecar, target);
    assert.ok(share(second.folded, ['furnace_heavy', 'furnace_light']) >= 0.8, second.folded);
    assert.match(warnings(second.status), /from the recorder’s debuginfod cache/);
    assert.equal(server.requests(served.buildId), 1, 'the second recording did not ask the server again');
  });

  it('names the hot function of a stripped Go program', async (t) => {
    const dir = await workDir(t, 'debuginfod-go');
    const program = await buildStrippedGo(dir, `go${process.pid}`);
    const server = await startDebuginfod(t);
    await server.serve(program.debugFile, program.buildId);
    const sidecar = await sidecarWith(t, server);

    const { folded, status } = await record(sidecar, startProcess(t, program.program, ['30']).pid);
    const hot = share(folded, ['main.furnaceGoStripped']);
    assert.ok(hot >= 0.7, `${Math.round(hot * 100)} % of the samples in main.furnaceGoStripped:\n${folded}`);
    // Go's leaf functions keep no frame pointer, so a frame-pointer walk goes from them to runtime.main.
    assert.ok(share(folded, ['runtime.main']) >= 0.7, 'the hot stacks reach runtime.main');
    assert.match(warnings(status), new RegExp(`symbols of stripped ${program.program} from ${server.url}`));
  });
});
