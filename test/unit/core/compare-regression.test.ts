// The regression comparison on folded stacks made by hand: a known change is flagged on the function that
// changed, the others' shares falling with it are not, and names on one side only are not comparable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareProfiles as compareWeights, type CompareOptions } from '../../../core/compare/regression.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';

// These stacks count samples, one each: the default would take the smallest stack's count as one sample.
const compareProfiles = (before: FoldedStacks, after: FoldedStacks, options: CompareOptions = {}) =>
  compareWeights(before, after, { countPerSample: 1, ...options });

const program = (a: number, b = 1000, c = 1000, d = 1000): FoldedStacks =>
  new Map([
    ['app;main;work;alpha', a],
    ['app;main;work;beta', b],
    ['app;main;gamma', c],
    ['app;main;delta', d],
  ]);

test('a function taking three times the samples is flagged as regressed, and only it', () => {
  const result = compareProfiles(program(1000), program(3000));
  assert.equal(result.verdict, 'regressed');
  const flagged = result.functions.filter((row) => row.verdict !== 'unchanged');
  assert.deepEqual(
    flagged.map((row) => [row.name, row.verdict]),
    [['alpha', 'regressed']],
  );
  const alpha = flagged[0];
  assert.ok(alpha);
  assert.equal(alpha.before.selfShare, 0.25);
  assert.equal(alpha.after.selfShare, 0.5);
  assert.equal(alpha.ratio, 3);
  // work is alpha's caller: its total share carries alpha's growth, its self share has none.
  const work = result.functions.find((row) => row.name === 'work');
  assert.equal(work?.after.totalShare, (3000 + 1000) / 6000);
  assert.equal(work?.verdict, 'unchanged');
});

test('the same change backwards is an improvement', () => {
  const result = compareProfiles(program(3000), program(1000));
  assert.equal(result.verdict, 'improved');
  assert.deepEqual(
    result.functions.filter((row) => row.verdict !== 'unchanged').map((row) => [row.name, row.verdict]),
    [['alpha', 'improved']],
  );
});

test('a stack order that differs in its prefixes counts each function once per stack', () => {
  const stacks: FoldedStacks = new Map([
    ['app;f;f;f', 300],
    ['app;f;g', 200],
    ['app;fg;g', 100],
    ['app;f', 400],
  ]);
  const result = compareProfiles(stacks, stacks, { top: 10 });
  const f = result.functions.find((row) => row.name === 'f');
  const g = result.functions.find((row) => row.name === 'g');
  assert.deepEqual([f?.before.self, f?.before.total], [700, 900]);
  assert.deepEqual([g?.before.self, g?.before.total], [300, 300]);
  assert.equal(result.verdict, 'unchanged');
});

test('a function renamed between versions is not comparable rather than regressed', () => {
  const renamed = new Map([...program(1000)].map(([stack, n]) => [stack.replace('alpha', 'alpha_v2'), n]));
  const result = compareProfiles(program(1000), renamed);
  assert.equal(result.verdict, 'not-comparable');
  assert.deepEqual(result.reasons, ['functions-not-matched']);
  assert.deepEqual(
    result.functions
      .filter((row) => row.verdict !== 'unchanged')
      .map((row) => [row.name, row.reason])
      .sort(),
    [
      ['alpha', 'only-before'],
      ['alpha_v2', 'only-after'],
    ],
  );
});

test('a profile with fewer samples than minSamples is not compared', () => {
  const result = compareProfiles(program(10, 10, 10, 10), program(30, 10, 10, 10));
  assert.equal(result.verdict, 'not-comparable');
  assert.deepEqual(result.reasons, ['too-few-samples-before', 'too-few-samples-after']);
});

test('a small move within chance is unchanged; the same move with ten times the samples is flagged', () => {
  assert.equal(
    compareProfiles(program(100, 100, 100, 100), program(130, 100, 100, 100)).verdict,
    'unchanged',
  );
  assert.equal(
    compareProfiles(program(10000, 10000, 10000, 10000), program(13000, 10000, 10000, 10000)).verdict,
    'regressed',
  );
});

test('periods in nanoseconds are tested as samples: one sample is the smallest stack count by default', () => {
  const ns = (a: number): FoldedStacks =>
    new Map([...program(a), ['app;main;epsilon', 1] as const].map(([stack, n]) => [stack, n * 10101010]));
  const regressed = compareWeights(ns(1000), ns(3000));
  assert.equal(regressed.verdict, 'regressed');
  assert.equal(regressed.beforeSamples, 4001);
  assert.equal(compareWeights(ns(1000), ns(1000)).verdict, 'unchanged');
  // Taken as one sample each, ten-millisecond periods would make every wobble significant.
  const close = (a: number): FoldedStacks => new Map([...ns(a)].map(([stack, n]) => [stack, n + (a % 7)]));
  assert.equal(compareWeights(close(1000), close(1010)).verdict, 'unchanged');
});

test('counts of a fixed period with no stack sampled once: the samples are the counts over the period', () => {
  // A CI run: a recording of a busy program whose every stack had 3 or more samples of 10,101,010 ns (99 Hz)
  // was taken for 165 samples instead of 494, and one with 75 or more for 6.6, so too few to compare.
  const period = 10_101_010;
  const fourStacks = (a: number, b: number, c: number, d: number): FoldedStacks =>
    new Map([
      ['app;main;alpha', a * period],
      ['app;main;beta', b * period],
      ['app;main;gamma', c * period],
      ['app;main;delta', d * period],
    ]);
  const result = compareWeights(fourStacks(120, 126, 123, 125), fourStacks(75, 150, 135, 134));
  assert.equal(result.beforeSamples, 494);
  assert.equal(result.afterSamples, 494);
  assert.deepEqual(result.reasons, []);
});
