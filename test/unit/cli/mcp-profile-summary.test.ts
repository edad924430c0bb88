// The assistant's summary and comparison of folded stacks (cli/mcp): shares and counts, determinism,
// bounds on names and paths, and a comparison that flags a real change and not a stationary one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntryView } from '../../../cli/mcp/answer-schemas.ts';
import { boundedName, boundedText, MAX_NAME_CHARS } from '../../../cli/mcp/bounded-text.ts';
import { compareTallies, comparisonText } from '../../../cli/mcp/profile-compare.ts';
import { DEFAULT_LIMITS, summarizeTally, summaryText } from '../../../cli/mcp/profile-summary.ts';
import { StackTallier } from '../../../cli/mcp/stack-tally.ts';
import { countFunctions } from '../../../core/compare/function-counts.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { syntheticFolded } from '../../bench/ui-stand-in.ts';

function entry(id: string, warnings: string[] = []): EntryView {
  return {
    id,
    namespace: 'shop',
    pod: 'web',
    state: 'done',
    params: { profile: 'cpu' },
    startedAt: '2026-11-26T04:00:00.000Z',
    artifacts: [{ name: 'stacks.folded', bytes: 1 }],
    warnings,
  };
}

function tally(text: string, heaviest = 5) {
  const tallier = new StackTallier(heaviest);
  for (const line of text.split('\n')) tallier.addLine(line);
  return tallier.result();
}

const FOLDED = [
  'app;_start;main;hot_beta 75',
  'app;_start;main;hot_alpha 20',
  'app;_start;main;recurse;recurse;leaf 4',
  'app;[unknown] 1',
  'not a stack',
  '',
].join('\n');

describe('summarize', () => {
  it('gives self and total shares with sample counts, heaviest stacks, and the diagnoses', () => {
    const summary = summarizeTally(entry('r1', ['no frame pointers']), tally(FOLDED), DEFAULT_LIMITS);
    assert.equal(summary.totalSamples, 100);
    assert.equal(summary.uniqueStacks, 4);
    assert.deepEqual(summary.topSelf.slice(0, 3), [
      { name: 'hot_beta', samples: 75, share: 0.75 },
      { name: 'hot_alpha', samples: 20, share: 0.2 },
      { name: 'leaf', samples: 4, share: 0.04 },
    ]);
    // Totals count a function once per stack, however often it recurses.
    assert.deepEqual(
      summary.topTotal.find((f) => f.name === 'recurse'),
      { name: 'recurse', samples: 4, share: 0.04 },
    );
    assert.deepEqual(summary.topTotal[0], { name: '_start', samples: 99, share: 0.99 });
    assert.deepEqual(summary.heaviestPaths[0]?.frames, ['app', '_start', 'main', 'hot_beta']);
    // Each diagnosis measured from the stacks has its share and sample count; the recorder's its words.
    assert.deepEqual(
      summary.diagnoses.map((d) => [d.kind, d.share, d.samples]),
      [
        ['missing-symbols', 0.01, 1],
        ['stacks-cut-short', 0.01, 1],
        ['recorder', undefined, undefined],
      ],
    );
    assert.equal(summary.diagnoses[2]?.text, 'no frame pointers');
    const text = summaryText(summary);
    assert.match(text, /1\. "hot_beta" 75\.0 % \(75 samples\)/);
    assert.match(text, /- missing-symbols: 1\.0 % \(1 samples\) samples whose leaf frame has no name/);
    assert.match(text, /- stacks-cut-short: 1\.0 % \(1 samples\) samples whose stack stops before main/);
    assert.match(text, /the recorder said: "no frame pointers"/);
  });

  it('counts the samples of stacks cut short, whichever frame is the root', () => {
    const stacks = [
      'app;_start;main;work 10', // complete
      'app;start_thread;worker;work 20', // a thread's start: complete
      'app;work;inner 30', // no root: cut short
      'app;[libc.so.6];work 40', // no root: cut short
    ].join('\n');
    const summary = summarizeTally(entry('r2'), tally(stacks), DEFAULT_LIMITS);
    assert.deepEqual(
      summary.diagnoses.find((d) => d.kind === 'stacks-cut-short'),
      {
        kind: 'stacks-cut-short',
        samples: 70,
        share: 0.7,
        text: "samples whose stack stops before main or a thread's start (most often code built without frame pointers: record with callGraph dwarf)",
      },
    );
    const complete = summarizeTally(entry('r3'), tally('app;_start;main;work 10'), DEFAULT_LIMITS);
    assert.deepEqual(complete.diagnoses, [], 'a complete profile has no diagnosis');
  });

  it('is deterministic whatever the order of the lines', () => {
    const lines = FOLDED.split('\n');
    const a = summaryText(summarizeTally(entry('r1'), tally(lines.join('\n')), DEFAULT_LIMITS));
    const b = summaryText(
      summarizeTally(entry('r1'), tally([...lines].reverse().join('\n')), DEFAULT_LIMITS),
    );
    assert.equal(a, b);
  });

  it('cuts long names and deep stacks, and bounds the text', () => {
    const deep = Array.from({ length: 500 }, (_, i) => `f${i}`).join(';');
    const long = 'x'.repeat(1 << 20);
    const summary = summarizeTally(entry('r1'), tally(`app;${deep} 5\napp;main;${long} 10`), DEFAULT_LIMITS);
    assert.equal(summary.topSelf[0]?.name, boundedName(long));
    assert.ok((summary.topSelf[0]?.name.length ?? 0) < MAX_NAME_CHARS + 30);
    const deepPath = summary.heaviestPaths.find((p) => p.framesOmitted > 0);
    assert.equal(deepPath?.frames.length, DEFAULT_LIMITS.pathFrames);
    assert.equal(deepPath?.framesOmitted, 501 - DEFAULT_LIMITS.pathFrames);
    assert.match(boundedText('line\n'.repeat(10_000), 1000), /answer cut at 1000 characters/);
  });
});

describe('the streaming tally', () => {
  it('counts every function as core/compare counts the whole folded stacks, in file order or not', () => {
    const text = syntheticFolded(3000);
    const shuffled = text.trim().split('\n').reverse().join('\n');
    const core = countFunctions(parseFolded(text));
    for (const input of [text, shuffled]) {
      const { functions, totalSamples } = tally(input);
      assert.equal(totalSamples, core.samples);
      assert.equal(functions.size, core.names.filter((_, i) => (core.total[i] ?? 0) > 0).length);
      core.names.forEach((name, i) => {
        if ((core.total[i] ?? 0) === 0) return;
        assert.deepEqual(
          [functions.get(name)?.self ?? 0, functions.get(name)?.total],
          [core.self[i], core.total[i]],
          name,
        );
      });
    }
  });
});

describe('compare', () => {
  // A program with more than the two functions that trade places, as real ones have (main's own loop,
  // a helper): the method measures each function against the rest of the program.
  const counts = (beta: number, alpha: number, rest = 150) =>
    [
      `app;main;hot_beta ${beta}`,
      `app;main;hot_alpha ${alpha}`,
      `app;main ${rest}`,
      `app;main;helper ${rest}`,
    ].join('\n');

  it('flags a function that went from three quarters of the samples to one quarter, and the other', () => {
    const c = compareTallies(
      { before: entry('a'), after: entry('b') },
      { before: tally(counts(750, 250)), after: tally(counts(250, 750)) },
      10,
    );
    assert.equal(c.shrank[0]?.name, 'hot_beta');
    assert.equal(c.shrank[0]?.delta, -0.384615);
    assert.equal(c.shrank[0]?.verdict, 'improved');
    assert.equal(c.grew[0]?.name, 'hot_alpha');
    assert.equal(c.grew[0]?.verdict, 'regressed');
    assert.equal(c.verdict, 'regressed');
  });

  it('does not flag the wobble of two samples of the same program', () => {
    const c = compareTallies(
      { before: entry('a'), after: entry('b') },
      { before: tally(counts(748, 252)), after: tally(counts(761, 239, 148)) },
      10,
    );
    assert.equal(c.verdict, 'unchanged', comparisonText(c));
    assert.ok([...c.grew, ...c.shrank].every((change) => change.verdict === 'unchanged'));
  });
});
