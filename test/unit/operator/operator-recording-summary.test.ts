import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { formatLabelSelector } from '../../../operator/label-selector.ts';
import { topSelfFunctions } from '../../../operator/recording/top-functions.ts';

describe('a Recording summary: top functions', () => {
  it('counts self samples of the innermost frame, largest first, as a percent of all samples', () => {
    const stacks = parseFolded('hot;main;furnace_heavy 60\nhot;main;furnace_light 30\nhot;main 5\nhot 5\n');
    assert.deepEqual(topSelfFunctions(stacks), [
      { name: 'furnace_heavy', percent: 60 },
      { name: 'furnace_light', percent: 30 },
      { name: 'hot', percent: 5 },
      { name: 'main', percent: 5 },
    ]);
  });

  it('keeps ten at most and rounds to two decimals', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `p;f${String(i).padStart(2, '0')} ${i + 1}`);
    const top = topSelfFunctions(parseFolded(lines.join('\n')));
    assert.equal(top.length, 10);
    assert.deepEqual(top[0], { name: 'f11', percent: 15.38 });
    assert.equal(top.at(-1)?.name, 'f02');
  });

  it('has nothing to say about no samples', () => {
    assert.deepEqual(topSelfFunctions(parseFolded('')), []);
  });
});

describe('a Recording selector as a labelSelector query', () => {
  it('writes labels and every expression operator', () => {
    assert.equal(
      formatLabelSelector({
        matchLabels: { app: 'shop', tier: 'web' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a', 'b'] },
          { key: 'canary', operator: 'NotIn', values: ['true'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
      'app=shop,tier=web,zone in (a,b),canary notin (true),team,!legacy',
    );
    assert.equal(formatLabelSelector({}), '');
  });
});
