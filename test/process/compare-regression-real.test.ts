// The regression comparison on profiles real perf recorded: separate runs of one unchanged program are
// not flagged (nor called not comparable), the version where furnace_beta does three times the work is flagged naming it, going back
// is an improvement, and a renamed function is not comparable. Prints the false flags over every pair of
// unchanged runs and the smallest effect the default settings detect at this recording length.
// FURNACE_WRITE_COMPARE_FIXTURES=1 also writes the recordings to test/fixtures/regression/ for the unit test.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { smallestDetectable } from '../../core/compare/detectable-effect.ts';
import { compareProfiles, type ProfileComparison } from '../../core/compare/regression.ts';
import { formatFolded, type FoldedStacks } from '../../core/stacks/folded.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildRegressionProgram, recordFolded } from '../harness/regression-program.ts';
import { workDir } from '../harness/temp-dirs.ts';

// CPU seconds per recording: 5 s of a busy program at Furnace's default 99 Hz, about 495 samples.
const SECONDS = 5;
const UNCHANGED_RUNS = 5;

function flagged(result: ProfileComparison): string[] {
  return result.functions
    .filter((row) => row.verdict !== 'unchanged')
    .map((row) => `${row.name} ${row.verdict}`);
}

describe('the regression comparison on real perf recordings', () => {
  it('flags a function made three times as expensive, and nothing between unchanged runs', async (t) => {
    const dir = await workDir(t, 'compare-regression-real');
    const base = await buildRegressionProgram(dir, 'regress-base');
    const slower = await buildRegressionProgram(dir, 'regress-beta3', ['-DBETA_TIMES=3']);
    const renamed = await buildRegressionProgram(dir, 'regress-rename', ['-Dfurnace_beta=furnace_beta_v2']);
    const runs: FoldedStacks[] = [];
    for (let i = 0; i < UNCHANGED_RUNS; i++) runs.push(await recordFolded(dir, base, SECONDS, `base-${i}`));
    const beta3 = await recordFolded(dir, slower, SECONDS, 'beta3');
    const rename = await recordFolded(dir, renamed, SECONDS, 'rename');
    if (process.env.FURNACE_WRITE_COMPARE_FIXTURES === '1') {
      const out = join(PROJECT_ROOT, 'test/fixtures/regression');
      await mkdir(out, { recursive: true });
      await writeFile(join(out, 'base-0.folded'), formatFolded(runs[0] as FoldedStacks));
      await writeFile(join(out, 'base-1.folded'), formatFolded(runs[1] as FoldedStacks));
      await writeFile(join(out, 'beta3.folded'), formatFolded(beta3));
      await writeFile(join(out, 'rename.folded'), formatFolded(rename));
      for (let i = 2; i < runs.length; i++)
        await writeFile(join(out, `base-${i}.folded`), formatFolded(runs[i] as FoldedStacks));
    }

    let pairs = 0;
    let falseFlags = 0;
    let largest = 0;
    const falseFlagged: string[] = [];
    for (let i = 0; i < runs.length; i++)
      for (let j = i + 1; j < runs.length; j++) {
        const result = compareProfiles(runs[i] as FoldedStacks, runs[j] as FoldedStacks);
        pairs += 1;
        // Any verdict but unchanged is false here: a flag, or not comparable (too few samples, a name lost).
        if (result.verdict !== 'unchanged') falseFlags += 1;
        largest = Math.max(largest, result.statistic);
        if (result.verdict !== 'unchanged')
          falseFlagged.push(
            `unchanged runs ${i}, ${j}: ${result.verdict} (${[...result.reasons, ...flagged(result)].join(', ')})`,
          );
      }
    const first = runs[0] as FoldedStacks;
    const regressed = compareProfiles(first, beta3);
    const back = compareProfiles(beta3, runs[1] as FoldedStacks);
    const notMatched = compareProfiles(first, rename);
    const samples = regressed.beforeSamples;
    const detectable = (n: number): string =>
      [0.05, 0.1, 0.25]
        .map((share) => {
          const effect = smallestDetectable(share, n, regressed.tested);
          return `${(share * 100).toFixed(0)}% → ${(effect.share * 100).toFixed(1)}% (×${effect.ratio.toFixed(2)})`;
        })
        .join('; ');
    console.log(
      [
        `unchanged: ${falseFlags} false flags in ${pairs} pairs of recordings of ${SECONDS} CPU-seconds (largest |z| ${largest.toFixed(2)})`,
        `beta ×3: ${regressed.verdict} (${flagged(regressed).join(', ')}; |z| ${regressed.statistic.toFixed(1)})`,
        `back: ${back.verdict} (${flagged(back).join(', ')})`,
        `renamed: ${notMatched.verdict} (${flagged(notMatched).join(', ')})`,
        `samples per recording: ${[...runs, beta3, rename].map((run) => compareProfiles(run, run).beforeSamples).join(', ')}`,
        `smallest growth flagged with ${regressed.tested} functions tested, at ${samples} samples: ${detectable(samples)}`,
        `  at 990 samples (a 10 s recording of one busy CPU at 99 Hz): ${detectable(990)}`,
      ].join('\n'),
    );
    assert.equal(falseFlags, 0, falseFlagged.join('; '));
    assert.equal(regressed.verdict, 'regressed');
    assert.deepEqual(flagged(regressed), ['furnace_beta regressed']);
    assert.equal(back.verdict, 'improved');
    assert.deepEqual(flagged(back), ['furnace_beta improved']);
    assert.equal(notMatched.verdict, 'not-comparable');
    // furnace_beta is gone; its new name may be too few samples to be sure of, but nothing is called slower.
    assert.ok(flagged(notMatched).includes('furnace_beta not-comparable'));
    assert.ok(notMatched.functions.every((row) => row.verdict !== 'regressed' && row.verdict !== 'improved'));
  });
});
