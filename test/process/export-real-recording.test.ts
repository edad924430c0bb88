// A real perf recording of the C program by the real sidecar, exported as the field's formats and read by
// the field's tools: `go tool pprof` finds the folded totals in profile.pb.gz and ranks functions by self
// samples exactly as Furnace's Top functions does; the official Go OTLP bindings read profile.otlp.pb as a
// valid request with the same stacks and the pod's resource attributes.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { furnaceTopSelf, pprofRawTotal, pprofTop, rankSteps } from '../harness/go-pprof-tool.ts';
import { startHotProgram } from '../harness/hot-program.ts';
import { checkOtlp } from '../harness/otlp-check-program.ts';
import { tempDir, workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'local-registration-secret';

describe('exports of a real perf recording, read by the field’s tools', () => {
  it('pprof: go tool pprof totals and ranking as Furnace’s; OTLP: valid, the same stacks, the pod’s attributes', async (t) => {
    const { target } = await startHotProgram(t, await workDir(t, 'export-perf'));
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET);
    const done = await sidecar.record({ pid: target.pid, durationSeconds: 3, frequency: 499 });
    assert.equal(done.state, 'done', done.error);
    await sidecar.waitFor(done.id, (s) => s.state === 'done');
    const uploaded = (name: string): Buffer => {
      const body = server.uploads.get(`/api/v1/recordings/${done.id}/artifacts/${name}`);
      assert.ok(body !== undefined, `${name} was uploaded`);
      return body;
    };
    const stacks = parseFolded(uploaded('stacks.folded').toString('utf8'));
    assert.ok(totalSamples(stacks) > 0);

    const dir = await tempDir(t, 'export-perf-');
    const pprof = join(dir, 'profile.pb.gz');
    await writeFile(pprof, uploaded('profile.pb.gz'));
    assert.equal(await pprofRawTotal(pprof), totalSamples(stacks), 'raw totals');
    const top = await pprofTop(pprof);
    const counts = top.map(([, flat]) => flat);
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
      'pprof lists by flat samples, largest first',
    );
    assert.deepEqual(rankSteps(top), rankSteps(furnaceTopSelf(stacks)), 'the same ranking as Top functions');
    assert.equal(top[0]?.[0], 'furnace_heavy', 'the heavy loop leads');
    t.diagnostic(`${totalSamples(stacks)} samples, ${top.length} functions with self samples`);

    const otlp = join(dir, 'profile.otlp.pb');
    await writeFile(otlp, uploaded('profile.otlp.pb'));
    const report = await checkOtlp(otlp);
    assert.deepEqual(report.problems, []);
    assert.equal(report.total, totalSamples(stacks), 'OTLP totals');
    assert.deepEqual(parseFolded(report.folded), stacks, 'the same stacks');
    assert.equal(report.period, Math.round(1e9 / 499));
    // The sidecar harness registers as pod test-host in namespace local: a name no controller made.
    assert.deepEqual(report.resource, { 'k8s.namespace.name': 'local', 'k8s.pod.name': 'test-host' });
  });
});
