import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toSpeedscope } from '../../../core/render/speedscope.ts';
import { parseFolded, totalSamples } from '../../../core/stacks/folded.ts';
import { collapseWithTimeline } from '../../../core/stacks/collapse-perf.ts';

/** perf script text (fields comm,pid,tid,time,event,ip,sym,dso) of samples: [tid, time, leaf]. */
function perfScript(samples: [number, string, string][]): string {
  return samples
    .map(([tid, time, leaf]) => `app 10/${tid} ${time}: cpu-clock:\n\t1 ${leaf} (/app)\n\t2 main (/app)\n\n`)
    .join('');
}

function once(text: string): AsyncIterable<string> {
  return (async function* () {
    yield await Promise.resolve(text);
  })();
}

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

  it('with a timeline: one profile per thread, samples in the order taken, the busiest thread first', async () => {
    const text = perfScript([
      [11, '100.000000', 'work'],
      [12, '100.005000', 'idle'],
      [11, '100.010000', 'parse'],
      [11, '100.020000', 'work'],
    ]);
    const { stacks, timeline } = await collapseWithTimeline(once(text));
    const file = toSpeedscope(stacks, { name: 'web-1 cpu', timeline });
    const names = file.shared.frames.map((f) => f.name);
    const leaves = (i: number) => file.profiles[i]?.samples.map((s) => names[s.at(-1) as number]);
    assert.deepEqual(
      file.profiles.map((p) => p.name),
      ['app 10/11', 'app 10/12'],
    );
    assert.deepEqual(leaves(0), ['work', 'parse', 'work']);
    assert.deepEqual(leaves(1), ['idle']);
    assert.deepEqual(
      file.profiles[0]?.samples[0]?.map((i) => names[i]),
      ['app', 'main', 'work'],
    );
    assert.equal(new Set(names).size, names.length, 'frames are shared, each once');
    const total = file.profiles.reduce((sum, p) => sum + p.endValue, 0);
    assert.equal(total, totalSamples(stacks), 'the profiles add up to the folded totals');
  });

  it('is summed up when the timeline left samples out', async () => {
    const text = perfScript([
      [11, '1.0', 'a'],
      [11, '2.0', 'b'],
      [11, '3.0', 'a'],
    ]);
    const { stacks, timeline } = await collapseWithTimeline(once(text), 2);
    assert.equal(timeline.dropped, 1);
    const file = toSpeedscope(stacks, { name: 'x', timeline });
    assert.equal(file.profiles.length, 1);
    assert.equal(file.profiles[0]?.name, 'x');
    assert.equal(file.profiles[0]?.endValue, 3);
  });
});
