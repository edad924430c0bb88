// Golden cases: test/golden/stacks/<case>.perf-script → <case>.folded (default options) and
// <case>.<opt>+<opt>.folded (those options). UPDATE_GOLDEN=1 rewrites the expected files; a golden
// file that no case uses fails the run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  collapsePerfScript,
  StackCollapser,
  type CollapseOptions,
} from '../../../core/stacks/collapse-perf.ts';
import { formatFolded, parseFolded, totalSamples } from '../../../core/stacks/folded.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden', 'stacks');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const OPTION_NAMES = new Set(['pid', 'tid', 'kernel', 'jit', 'all', 'addrs']);

function collapseText(text: string, options: CollapseOptions = {}): string {
  const collapser = new StackCollapser(options);
  collapser.push(text);
  return formatFolded(collapser.end());
}

function optionsOf(variant: string): CollapseOptions {
  const options: CollapseOptions = {};
  for (const name of variant.split('+')) {
    assert.ok(OPTION_NAMES.has(name), `unknown option '${name}' in golden file name`);
    options[name as keyof CollapseOptions] = true;
  }
  return options;
}

describe('collapse-perf golden files', () => {
  const files = readdirSync(GOLDEN_DIR).sort();
  const inputs = files
    .filter((f) => f.endsWith('.perf-script'))
    .map((f) => f.slice(0, -'.perf-script'.length));
  const used = new Set<string>();
  for (const input of inputs) {
    const variants = [
      '',
      ...files
        .filter((f) => f.startsWith(`${input}.`) && f.endsWith('.folded'))
        .map((f) => f.slice(input.length + 1, -'.folded'.length))
        .filter((v) => v !== ''),
    ];
    for (const variant of variants) {
      const expectedName = variant === '' ? `${input}.folded` : `${input}.${variant}.folded`;
      used.add(`${input}.perf-script`).add(expectedName);
      it(`${input}${variant === '' ? '' : ` --${variant.split('+').join(' --')}`}`, async () => {
        const options = variant === '' ? {} : optionsOf(variant);
        const script = readFileSync(join(GOLDEN_DIR, `${input}.perf-script`));
        const folded = formatFolded(await collapsePerfScript(Readable.from([script]), options));
        const expectedPath = join(GOLDEN_DIR, expectedName);
        if (UPDATE) writeFileSync(expectedPath, folded);
        assert.ok(existsSync(expectedPath), `missing ${expectedName}; run with UPDATE_GOLDEN=1`);
        assert.equal(folded, readFileSync(expectedPath, 'utf8'));
        // Any way of cutting the input into chunks gives the same result.
        const text = script.toString('utf8');
        const pieces = text.match(/[^]{1,7}/g) ?? [];
        // Small tables that grow (a small recording's, a continuous window's) give the same result too.
        const collapser = new StackCollapser({ ...options, small: true });
        for (const piece of pieces) collapser.push(piece);
        assert.equal(formatFolded(collapser.end()), folded);
        // The text the CLI prints straight from the collapser's stack trie is the same text.
        const whole = new StackCollapser(options);
        whole.push(script);
        assert.equal(Buffer.concat([...whole.endText()]).toString('utf8'), folded);
      });
    }
  }
  it('uses every golden file', () => {
    const svgOfFolded = (f: string) => f.endsWith('.svg') && used.has(f.replace(/\.svg$/, '.folded'));
    const unused = files.filter((f) => !used.has(f) && !svgOfFolded(f));
    assert.deepEqual(unused, []);
  });
});

describe('StackCollapser', () => {
  it('grows small tables past their first size with the same output as large ones', () => {
    // 3,000 samples of 12 distinct frames each: 36,000 distinct lines and trie nodes, about 1.5 MB.
    const samples: string[] = [];
    for (let s = 0; s < 3000; s++) {
      const frames = Array.from(
        { length: 12 },
        (_, d) => `\t${(s * 12 + d).toString(16)} fn_${s}_${d}+0x1 (/lib/x${d}.so)`,
      );
      samples.push(`app ${s % 7} [000] ${s}.0: 1 cpu-clock:\n${frames.join('\n')}\n\n`);
    }
    const text = samples.join('');
    const small = new StackCollapser({ small: true });
    const large = new StackCollapser();
    small.push(text);
    large.push(text);
    const folded = formatFolded(large.end());
    assert.equal(formatFolded(small.end()), folded);
    assert.equal(folded.split('\n').length - 1, 3000);
  });

  it('matches perf script frames innermost first and folds them outermost first', () => {
    const text = 'a.out 1 [000] 1.0: 1 cpu-clock:\n\t1 inner+0x1 (/a)\n\t2 outer+0x2 (/a)\n\n';
    assert.equal(collapseText(text), 'a.out;outer;inner 1\n');
  });

  it('sums the sample period, and counts a sample without one as 1', () => {
    const text = 'pp 1 1.0: 5 cycles:\n\t1 f (/a)\n\npp 1 2.0: cycles:\n\t1 f (/a)\n\n';
    assert.equal(collapseText(text), 'pp;f 6\n');
  });

  it('keeps only the first event seen and reports the samples it skipped', () => {
    const collapser = new StackCollapser();
    collapser.push('pp 1 1.0: 5 cycles:\n\t1 f (/a)\n\npp 1 2.0: 7 instructions:\n\t1 g (/a)\n\n');
    assert.equal(formatFolded(collapser.end()), 'pp;f 5\n');
    assert.equal(collapser.event, 'cycles');
    assert.equal(collapser.skippedSamples, 1);
  });

  it('condenses Java signatures for process names that start with java, also under --pid and --tid', () => {
    // stackcollapse-perf.pl tidies Java names when its process name matches /^java/, and it tests the
    // name after --pid or --tid made it java-PID (or java-PID/TID): the leading L goes in all three.
    // A thread whose comm is its own name (pool-1-thread-1) keeps the L, as in the perl script.
    const text = 'java 7/8 [000] 1.0: cpu-clock:\n\t1 Lcom/x/Foo;.bar(I)V (/tmp/perf-7.map)\n\n';
    assert.equal(collapseText(text), 'java;com/x/Foo:.bar 1\n');
    assert.equal(collapseText(text, { pid: true }), 'java-7;com/x/Foo:.bar 1\n');
    assert.equal(collapseText(text, { tid: true, jit: true }), 'java-7/8;com/x/Foo:.bar_[j] 1\n');
    assert.equal(collapseText(text.replace('java', 'javac')), 'javac;com/x/Foo:.bar 1\n');
    assert.equal(
      collapseText(text.replace('java', 'pool-1-thread-1')),
      'pool-1-thread-1;Lcom/x/Foo:.bar 1\n',
    );
  });

  it('counts lines it cannot read instead of failing', () => {
    const collapser = new StackCollapser();
    collapser.push('pp 1 1.0: 5 cycles:\n\t1 f (/a)\n  garbage\n\n');
    assert.equal(formatFolded(collapser.end()), 'pp;f 5\n');
    assert.equal(collapser.unrecognizedLines, 1);
  });

  it('decodes UTF-8 split across Buffer chunks', async () => {
    const bytes = Buffer.from('pp 1 1.0: 1 cpu-clock:\n\t1 größe_ƒ (/a)\n\n', 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    assert.equal(formatFolded(await collapsePerfScript(Readable.from(chunks))), 'pp;größe_ƒ 1\n');
  });

  it('prints stacks whose names extend one another in code point order, from the trie too', () => {
    const sample = (frames: string[]) =>
      `pp 1 1.0: 1 cpu-clock:\n${frames.map((f, i) => `\t${i + 1} ${f} (/a)\n`).join('')}\n`;
    const text = [
      ['foo', 'main'],
      ['foo.bar', 'main'],
      ['x', 'foo', 'main'],
      ['main'],
      ['foo_[k]', 'main'],
      ['fo', 'main'],
      ['foo\u{1F525}', 'main'],
      ['foo\uFF21', 'main'],
    ]
      .map(sample)
      .join('');
    const expected =
      'pp;main 1\npp;main;fo 1\npp;main;foo 1\npp;main;foo.bar 1\npp;main;foo;x 1\n' +
      'pp;main;foo_[k] 1\npp;main;foo\uFF21 1\npp;main;foo\u{1F525} 1\n';
    assert.equal(collapseText(text), expected);
    const collapser = new StackCollapser();
    collapser.push(text);
    assert.equal(Buffer.concat([...collapser.endText()]).toString('utf8'), expected);
  });

  it('adds up stacks that join to the same text through a process name with a semicolon', () => {
    const text =
      'ab;main 1 1.0: 1 cpu-clock:\n\t1 x (/a)\n\nab 1 2.0: 2 cpu-clock:\n\t1 x (/a)\n\t2 main (/a)\n\n';
    assert.equal(collapseText(text), 'ab;main;x 3\n');
    const collapser = new StackCollapser();
    collapser.push(text);
    assert.equal(Buffer.concat([...collapser.endText()]).toString('utf8'), 'ab;main;x 3\n');
  });

  it('counts right when a recording turns from all-new samples to repeated ones', () => {
    // Thousands of distinct samples pause the sample cache; then one sample repeats thousands of times.
    const sample = (leaf: string) => `pp 1 1.0: 1 cpu-clock:\n\t1 ${leaf} (/a)\n\t2 main (/a)\n\n`;
    let text = '';
    for (let i = 0; i < 5000; i++) text += sample(`f${i}`);
    for (let i = 0; i < 40_000; i++) text += sample('hot');
    const collapser = new StackCollapser();
    for (let at = 0; at < text.length; at += 65_536) collapser.push(text.slice(at, at + 65_536));
    const stacks = collapser.end();
    assert.equal(stacks.size, 5001);
    assert.equal(stacks.get('pp;main;hot'), 40_000);
    assert.equal(stacks.get('pp;main;f4999'), 1);
  });

  it('keeps memory bounded by unique stacks while streaming a large input', () => {
    const collapser = new StackCollapser();
    const samples = ['a', 'b', 'c'].map(
      (leaf) =>
        `prog 42 [000] 1.0: 1001001 cpu-clock: \n\t    11${leaf}0 leaf_${leaf}+0x1 (/p)\n\t    1200 main+0x2 (/p)\n\n`,
    );
    let chunk = '';
    for (let i = 0; i < 300_000; i++) {
      chunk += samples[i % 3];
      if (chunk.length > 65_000) {
        // Cut mid-line on purpose: the collapser carries the partial line over.
        collapser.push(chunk.slice(0, 40_001));
        chunk = chunk.slice(40_001);
      }
    }
    collapser.push(chunk);
    const stacks = collapser.end();
    assert.equal(stacks.size, 3);
    assert.equal(totalSamples(stacks), 300_000 * 1001001);
  });
});

describe('folded text', () => {
  it('round-trips through parseFolded, adding repeated stacks', () => {
    const stacks = parseFolded('b;c 2\r\na 1\nb;c 3\nno count here\n\nwith space;f(int x) 4\n');
    assert.deepEqual(
      [...stacks],
      [
        ['b;c', 5],
        ['a', 1],
        ['with space;f(int x)', 4],
      ],
    );
    assert.equal(formatFolded(stacks), 'a 1\nb;c 5\nwith space;f(int x) 4\n');
    assert.equal(totalSamples(stacks), 10);
  });

  it('sorts by code point like perl over UTF-8 bytes', () => {
    const stacks = new Map([
      ['\u{1F525}', 1],
      ['\uFF21', 1],
      ['Z', 1],
      ['a', 1],
    ]);
    assert.equal(formatFolded(stacks), 'Z 1\na 1\n\uFF21 1\n\u{1F525} 1\n');
  });
});
