// profile.pb.gz written from folded stacks (core/pprof/write-pprof.ts), read back by the real `go tool pprof`:
// its raw totals equal the folded totals, its flat column equals each function's self samples, and the
// recording's labels, period and duration are there.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { foldedToPprof } from '../../core/pprof/write-pprof.ts';
import { parseFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import { goBinary } from '../harness/go-pprof-program.ts';
import { pprofRawTotal, pprofTop } from '../harness/go-pprof-tool.ts';
import { run } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const GOLDEN = join(PROJECT_ROOT, 'test/golden/stacks');

/** Self samples per function: the innermost frame of each stack, as Furnace's Top functions counts them. */
function selfByFunction(stacks: FoldedStacks): Map<string, number> {
  const self = new Map<string, number>();
  for (const [stack, count] of stacks) {
    const leaf = stack.slice(stack.lastIndexOf(';') + 1);
    self.set(leaf, (self.get(leaf) ?? 0) + count);
  }
  return self;
}

describe('profile.pb.gz from folded stacks, read by go tool pprof', () => {
  it('keeps every sample and each function’s self samples, for every C, kernel, JIT and Java corpus', async (t) => {
    const dir = await tempDir(t, 'pprof-export-');
    const files = (await readdir(GOLDEN)).filter((f) => f.endsWith('.folded'));
    let checked = 0;
    for (const file of files) {
      const stacks = parseFolded(await readFile(join(GOLDEN, file), 'utf8'));
      // Left out: C++ template names, which pprof shortens in -top (its display, not the data).
      if (stacks.size === 0 || [...stacks.keys()].some((stack) => stack.includes('<'))) continue;
      const path = join(dir, `${file}.pb.gz`);
      await writeFile(path, foldedToPprof(stacks, { frequency: 99, startedAtMs: 0, durationMs: 5000 }));
      assert.equal(await pprofRawTotal(path), totalSamples(stacks), `${file}: raw totals`);
      const flat = new Map(await pprofTop(path));
      assert.deepEqual(flat, selfByFunction(stacks), `${file}: flat samples per function`);
      checked += 1;
    }
    t.diagnostic(`${checked} corpora read back by go tool pprof`);
    assert.ok(checked >= 30, `${checked} corpora checked`);
  });

  it('says the period (1/frequency), the duration, the start and the recording’s labels', async (t) => {
    const dir = await tempDir(t, 'pprof-export-');
    const path = join(dir, 'profile.pb.gz');
    const startedAtMs = Date.parse('2026-11-23T06:00:00Z');
    const stacks = parseFolded('app;main;work 7\napp;main;rest 3\n');
    const labels = { namespace: 'shop', pod: 'web-7d9f' };
    await writeFile(path, foldedToPprof(stacks, { frequency: 200, startedAtMs, durationMs: 3000, labels }));
    const raw = (await run(await goBinary(), ['tool', 'pprof', '-raw', path])).stdout;
    assert.match(raw, /PeriodType: cpu nanoseconds\nPeriod: 5000000\n/);
    assert.match(raw, /Time: 2026-11-23 06:00:00 \+0000 UTC\nDuration: 3s\n/);
    assert.match(raw, /samples\/count cpu\/nanoseconds\[dflt\]/);
    assert.match(raw, /^\s+7\s+35000000: 3 2 1 $/m, 'seven samples of 5 ms each, innermost first');
    assert.equal(
      [...raw.matchAll(/namespace:\[shop\] pod:\[web-7d9f\]/g)].length,
      2,
      'labels on each sample',
    );
  });
});
