import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toSpeedscope } from '../../core/render/speedscope.ts';
import { parseFolded } from '../../core/stacks/folded.ts';

describe('toSpeedscope', () => {
  it('writes one sampled profile over shared frames, stacks root first', () => {
    const file = toSpeedscope(parseFolded('app;main;b 2\napp;main;a 3\n'), { name: 'web-1 cpu' });
    assert.equal(file.$schema, 'https://www.speedscope.app/file-format-schema.json');
    assert.equal(file.name, 'web-1 cpu');
    assert.equal(file.activeProfileIndex, 0);
    assert.deepEqual(file.shared.frames, [{ name: 'app' }, { name: 'main' }, { name: 'a' }, { name: 'b' }]);
    assert.deepEqual(file.profiles, [
      {
        type: 'sampled',
        name: 'web-1 cpu',
        unit: 'none',
        startValue: 0,
        endValue: 5,
        samples: [
          [0, 1, 2],
          [0, 1, 3],
        ],
        weights: [3, 2],
      },
    ]);
  });

  it('keeps every index inside the frame table and the weights summing to endValue', () => {
    const stacks = parseFolded('a;b;c 1\na;c 4\nb;a;c 7\n');
    const file = toSpeedscope(stacks, { name: 'x' });
    const profile = file.profiles[0];
    assert.ok(profile);
    for (const sample of profile.samples) {
      for (const i of sample) assert.ok(i >= 0 && i < file.shared.frames.length);
    }
    assert.equal(
      profile.weights.reduce((a, b) => a + b, 0),
      profile.endValue,
    );
    assert.equal(new Set(file.shared.frames.map((f) => f.name)).size, file.shared.frames.length);
    assert.deepEqual(JSON.parse(JSON.stringify(file)), file);
  });

  it('is an empty profile for no samples', () => {
    const profile = toSpeedscope(new Map(), { name: 'none' }).profiles[0];
    assert.deepEqual(profile?.samples, []);
    assert.equal(profile?.endValue, 0);
  });
});
