// The regression comparison on folded stacks real perf recorded (test/fixtures/regression/, written by
// test/process/compare-regression-real.test.ts): four functions of equal work on average, 10 s at 99 Hz on a
// loaded machine (five runs, base-0 to base-4); beta3 is the build where furnace_beta does three times the work, rename the build where it is
// called furnace_beta_v2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareProfiles, type ProfileComparison } from '../../core/compare/regression.ts';
import { parseFolded, type FoldedStacks } from '../../core/stacks/folded.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

const profile = (name: string): FoldedStacks =>
  parseFolded(readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression', `${name}.folded`), 'utf8'));

const flagged = (result: ProfileComparison): string[] =>
  result.functions.filter((row) => row.verdict !== 'unchanged').map((row) => `${row.name} ${row.verdict}`);

test('every pair of five runs of the unchanged program: nothing flagged', () => {
  const runs = [0, 1, 2, 3, 4].map((i) => profile(`base-${i}`));
  for (const [i, before] of runs.entries())
    for (const [j, after] of runs.entries())
      if (i !== j) assert.deepEqual(flagged(compareProfiles(before, after)), [], `base-${i} → base-${j}`);
});

test('two runs of the unchanged program: nothing flagged', () => {
  const result = compareProfiles(profile('base-0'), profile('base-1'));
  assert.equal(result.verdict, 'unchanged');
  assert.deepEqual(flagged(result), []);
  // The folded counts are cpu-clock periods (10,101,010 ns at 99 Hz): the test counts them as samples.
  assert.ok(result.beforeSamples > 100 && result.beforeSamples < 1000, String(result.beforeSamples));
});

test('furnace_beta three times as expensive: regressed, naming it alone, about three times', () => {
  const result = compareProfiles(profile('base-0'), profile('beta3'));
  assert.equal(result.verdict, 'regressed');
  assert.deepEqual(flagged(result), ['furnace_beta regressed']);
  const beta = result.functions[0];
  assert.ok(beta && beta.ratio > 2 && beta.ratio < 4.5, String(beta?.ratio));
  assert.ok(beta.after.selfShare > beta.before.selfShare + 0.1);
});

test('back from the slow build: an improvement of furnace_beta', () => {
  const result = compareProfiles(profile('beta3'), profile('base-1'));
  assert.equal(result.verdict, 'improved');
  assert.deepEqual(flagged(result), ['furnace_beta improved']);
});

test('furnace_beta renamed: not comparable, and nothing called slower or faster', () => {
  const result = compareProfiles(profile('base-0'), profile('rename'));
  assert.equal(result.verdict, 'not-comparable');
  assert.deepEqual(result.reasons, ['functions-not-matched']);
  assert.ok(flagged(result).includes('furnace_beta not-comparable'));
  assert.ok(result.functions.every((row) => row.verdict !== 'regressed' && row.verdict !== 'improved'));
});
