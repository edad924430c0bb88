// The false-flag rate of the comparison where sampling is the only difference: pairs of profiles drawn
// from the same function shares (those of a real recording of the four-function program and of a program
// with a long tail of small functions), at 495 and 990 samples. Seeded, so every run draws the same pairs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareProfiles } from '../../../core/compare/regression.ts';
import { parseFolded, type FoldedStacks } from '../../../core/stacks/folded.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';
import { seededRandom } from '../../harness/seeded-random.ts';

const PAIRS = 1000;

/** `samples` samples drawn from the stacks' shares, one count per sample. */
function draw(stacks: FoldedStacks, samples: number, next: () => number): FoldedStacks {
  const keys = [...stacks.keys()];
  const weights = [...stacks.values()];
  const total = weights.reduce((sum, w) => sum + w, 0);
  const drawn: FoldedStacks = new Map();
  for (let i = 0; i < samples; i++) {
    let at = next() * total;
    let k = 0;
    while (k < weights.length - 1 && at >= (weights[k] as number)) at -= weights[k++] as number;
    const key = keys[k] as string;
    drawn.set(key, (drawn.get(key) ?? 0) + 1);
  }
  return drawn;
}

function falseFlagRate(stacks: FoldedStacks, samples: number, seed: number): number {
  const next = seededRandom(seed);
  let flagged = 0;
  for (let i = 0; i < PAIRS; i++) {
    const result = compareProfiles(draw(stacks, samples, next), draw(stacks, samples, next), {
      countPerSample: 1,
    });
    if (result.verdict === 'regressed' || result.verdict === 'improved') flagged += 1;
  }
  return flagged / PAIRS;
}

const recorded = parseFolded(
  readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression/base-0.folded'), 'utf8'),
);
// 40 functions with shares falling off as 1/rank (a few hot, many small ones), as larger programs look.
const longTail: FoldedStacks = new Map(
  Array.from({ length: 40 }, (_, i) => [`app;main;handler;f${i}`, Math.round(10000 / (i + 1))]),
);

for (const [name, stacks] of [
  ['the recorded program', recorded],
  ['a long tail of 40 functions', longTail],
] as const)
  for (const samples of [495, 990])
    test(`${name} at ${samples} samples: at most 1 % of ${PAIRS} pairs flagged (significance 0.01)`, () => {
      const rate = falseFlagRate(stacks, samples, samples);
      console.log(`${name}, ${samples} samples: ${(rate * 100).toFixed(1)} % of ${PAIRS} pairs flagged`);
      assert.ok(rate <= 0.01, `${rate}`);
    });
