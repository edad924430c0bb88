// profiler auto: pprof for a target that serves it, perf for one that does not; the status says which ran.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { sharedGoPprofProgram, startGoPprofProgram } from '../harness/go-pprof-program.ts';
import { freePort } from '../harness/ports.ts';
import { startProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { type SidecarProcess, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'local-registration-secret';

async function record(
  sidecar: SidecarProcess,
  body: unknown,
): Promise<{ status: RecordingStatus; folded: string }> {
  const status = await sidecar.record(body);
  assert.equal(status.state, 'done', status.error);
  const folded = await sidecar.artifact(status.id, 'stacks.folded');
  return { status, folded };
}

describe('sidecar with profiler auto', () => {
  it('chooses pprof for the Go program and perf for the C program, and says so in the status and the catalog', async (t) => {
    const port = await freePort();
    const go = await startGoPprofProgram(t, await sharedGoPprofProgram(), { port });
    const c = startProcess(t, await buildHotProgram(await workDir(t, 'auto-c')), ['120']);
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET);

    const goRecording = await record(sidecar, {
      profiler: 'auto',
      pid: go.pid,
      durationSeconds: 2,
      pprof: { port },
    });
    assert.equal(goRecording.status.profiler, 'pprof');
    assert.equal(goRecording.status.params.profiler, 'auto');
    assert.ok(goRecording.status.artifacts.includes('profile.pb.gz'));
    assert.ok(samplesOf(goRecording.folded, 'main.furnaceGoHot') > 0, goRecording.folded);

    // The C program serves nothing on the port (now free again): perf records it.
    const nobody = await freePort();
    const cRecording = await record(sidecar, {
      profiler: 'auto',
      pid: c.pid,
      durationSeconds: 4,
      frequency: 499,
      pprof: { port: nobody },
    });
    assert.equal(cRecording.status.profiler, 'perf');
    assert.ok(cRecording.status.artifacts.includes('perf.data'));
    assert.ok(samplesOf(cRecording.folded, 'furnace_heavy') > 0, cRecording.folded);
    assert.match(
      cRecording.status.warnings?.join('\n') ?? '',
      /auto chose perf: no pprof endpoint answered \(nothing listens at http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\//,
    );

    const uploaded = JSON.parse(
      server.uploads.get(`/api/v1/recordings/${cRecording.status.id}`)?.toString() ?? '{}',
    ) as RecordingStatus;
    assert.equal(uploaded.profiler, 'perf');
  });
});
