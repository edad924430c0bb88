// The real sidecar recording a real Go program through its net/http/pprof endpoint: CPU, heap and
// goroutine profiles become the same flame graphs as perf's; the raw profile opens in `go tool pprof`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { samplesOf } from '../harness/hot-program.ts';
import { goBinary, sharedGoPprofProgram, startGoPprofProgram } from '../harness/go-pprof-program.ts';
import { freePort } from '../harness/ports.ts';
import { run } from '../harness/processes.ts';
import { finished, RENDERED_ARTIFACTS } from '../harness/recording-status.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { assertArtifacts, servedArtifact, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'local-registration-secret';

describe('sidecar with profiler pprof (a Go program with net/http/pprof)', () => {
  it('records a CPU profile that names the hot function, keeps profile.pb.gz for go tool pprof, and uploads it', async (t) => {
    const port = await freePort();
    const program = await sharedGoPprofProgram();
    await startGoPprofProgram(t, program, { port });
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET);

    const done = await sidecar.record({ profiler: 'pprof', durationSeconds: 3, pprof: { port } });
    assert.equal(done.state, 'done', done.error);
    assert.equal(done.profiler, 'pprof');
    assert.deepEqual(done.params.pprof, {
      port,
      path: '/debug/pprof/profile',
      kind: 'profile',
      scheme: 'http',
    });
    // The target's own pprof is kept; OTLP is made from its stacks (at Go's 100 Hz).
    assertArtifacts(done, ['profile.pb.gz', 'profile.otlp.pb', ...RENDERED_ARTIFACTS]);

    const folded = await servedArtifact(sidecar, done.id, 'stacks.folded');
    const hot = samplesOf(folded, 'main.furnaceGoHot');
    assert.ok(hot > 0 && hot >= 0.5 * (done.samples ?? 0), `furnaceGoHot has most samples:\n${folded}`);
    assert.match(await servedArtifact(sidecar, done.id, 'flamegraph.svg'), /main\.furnaceGoHot/);

    // The raw profile, as downloaded, opens in go tool pprof and lists the hot function at the top.
    const download = await sidecar.call('GET', `/recordings/${done.id}/artifacts/profile.pb.gz`);
    assert.equal(download.status, 200);
    const uploaded = server.uploads.get(`/api/v1/recordings/${done.id}/artifacts/profile.pb.gz`);
    assert.ok(
      uploaded !== undefined && uploaded[0] === 0x1f && uploaded[1] === 0x8b,
      'gzip went to the catalog',
    );
    const dir = await tempDir(t, 'pprof-top-');
    await writeFile(`${dir}/profile.pb.gz`, uploaded);
    const top = await run(await goBinary(), ['tool', 'pprof', '-top', program, `${dir}/profile.pb.gz`]);
    assert.match(top.stdout, /main\.furnaceGoHot/);
  });

  it('records heap and goroutine snapshots as flame graphs of bytes in use and of goroutines', async (t) => {
    const port = await freePort();
    const program = await sharedGoPprofProgram();
    await startGoPprofProgram(t, program, { port });
    const { sidecar } = await startRegisteredSidecar(t, SECRET);

    const heap = await sidecar.record({ profiler: 'pprof', pprof: { port, kind: 'heap' } });
    assert.equal(heap.state, 'done', heap.error);
    assert.ok(
      !heap.artifacts.includes('profile.otlp.pb'),
      'bytes in use are no CPU samples: no OTLP CPU profile',
    );
    const heapFolded = await servedArtifact(sidecar, heap.id, 'stacks.folded');
    assert.ok(samplesOf(heapFolded, 'main.furnaceGoRetain') > 8 * 1024 * 1024, heapFolded);
    assert.match(await servedArtifact(sidecar, heap.id, 'flamegraph.svg'), /inuse_space/);

    const goroutines = await sidecar.record({ profiler: 'pprof', pprof: { port, kind: 'goroutine' } });
    assert.equal(goroutines.state, 'done', goroutines.error);
    const folded = await servedArtifact(sidecar, goroutines.id, 'stacks.folded');
    assert.equal(samplesOf(folded, 'main.furnaceGoPark'), 7, folded);
  });

  it('fails with the endpoint named when nothing serves pprof there, and a stopped CPU profile says why nothing was kept', async (t) => {
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const nobody = await freePort();
    const refused = await sidecar.record({ profiler: 'pprof', pprof: { port: nobody, kind: 'heap' } });
    assert.equal(refused.state, 'failed');
    assert.match(
      refused.error ?? '',
      new RegExp(`nothing listens at http://127\\.0\\.0\\.1:${nobody}/debug/pprof/heap`),
    );

    const port = await freePort();
    const program = await sharedGoPprofProgram();
    await startGoPprofProgram(t, program, { port });
    // A page that is not a profile is neither decoded nor kept for download.
    const page = await sidecar.record({
      profiler: 'pprof',
      pprof: { port, kind: 'heap', path: '/debug/pprof/' },
    });
    assert.equal(page.state, 'failed');
    assert.match(page.error ?? '', /did not send a pprof profile/);
    assert.deepEqual(page.artifacts, []);
    const { id } = await sidecar.start({
      profiler: 'pprof',
      durationSeconds: 60,
      pprof: { port },
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await sidecar.call('POST', `/recordings/${id}/stop`)).status, 200);
    const stopped = await sidecar.waitFor(id, finished);
    assert.equal(stopped.state, 'failed');
    assert.match(stopped.error ?? '', /comes only at the end of the 60 s it was asked for/);
  });
});
