// profile.otlp.pb written from folded stacks (core/otlp/write-otlp.ts), decoded by a Go program built
// against the official OTLP bindings (test/fixtures/otlp-check): the dictionary starts with its zero values,
// every index is in range, nothing is duplicated, and the samples are the folded stacks, total for total.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportProfile } from '../../core/export/profile-exports.ts';
import { foldedToOtlp } from '../../core/otlp/write-otlp.ts';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { checkOtlp } from '../harness/otlp-check-program.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const GOLDEN = join(PROJECT_ROOT, 'test/golden/stacks');

describe('profile.otlp.pb from folded stacks, read with the official Go OTLP bindings', () => {
  it('is a valid request holding every stack of every golden corpus, total for total', async (t) => {
    const dir = await tempDir(t, 'otlp-export-');
    const files = (await readdir(GOLDEN)).filter((f) => f.endsWith('.folded'));
    let checked = 0;
    for (const file of files) {
      const stacks = parseFolded(await readFile(join(GOLDEN, file), 'utf8'));
      if (stacks.size === 0) continue;
      const path = join(dir, `${file}.otlp.pb`);
      await writeFile(path, foldedToOtlp(stacks, { frequency: 99, startedAtMs: 0, durationMs: 5000 }));
      const report = await checkOtlp(path);
      assert.deepEqual(report.problems, [], `${file}: ${report.problems.join('; ')}`);
      assert.equal(report.total, totalSamples(stacks), `${file}: totals`);
      assert.deepEqual(parseFolded(report.folded), stacks, `${file}: the same stacks`);
      assert.equal(report.stacks, stacks.size + 1, `${file}: one stack per folded stack, after the zero one`);
      checked += 1;
    }
    t.diagnostic(`${checked} corpora read back by otlp-check`);
    assert.ok(checked >= 30, `${checked} corpora checked`);
  });

  it('says the resource (namespace, pod, container, service), sample and period types, start and duration', async (t) => {
    const dir = await tempDir(t, 'otlp-export-');
    const path = join(dir, 'profile.otlp.pb');
    const startedAtMs = Date.parse('2026-11-23T06:00:00Z');
    const stacks = parseFolded('app;main;work 7\napp;main;rest 3\napp;work 2\n');
    const subject = { namespace: 'shop', pod: 'web-7d9f8c6b5-x2k4q', container: 'app', service: 'web' };
    await writeFile(
      path,
      exportProfile('profile.otlp.pb', stacks, { frequency: 200, startedAtMs, durationMs: 3000, subject }),
    );
    const report = await checkOtlp(path);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.resource, {
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': 'web-7d9f8c6b5-x2k4q',
      'k8s.container.name': 'app',
      'service.name': 'web',
    });
    assert.equal(report.scope, 'furnace');
    assert.equal(report.sampleType, 'samples/count');
    assert.equal(report.periodType, 'cpu/nanoseconds');
    assert.equal(report.period, 5_000_000, '1/200 s');
    assert.equal(report.timeUnixNano, startedAtMs * 1e6);
    assert.equal(report.durationNano, 3e9);
    // "", 4 frame names, samples, count, cpu, nanoseconds; app, main, work and rest once each.
    assert.equal(report.strings, 9);
    assert.equal(report.functions, 5, 'the zero function and one per frame name');
    assert.equal(report.locations, 5);
    assert.equal(report.total, 12);
  });
});
