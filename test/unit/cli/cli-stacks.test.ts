// The offline filters `furnace collapse-perf` and `furnace flamegraph`, driven through run(argv, io).
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run as collapsePerf } from '../../../cli/collapse-perf.ts';
import { run as flamegraph } from '../../../cli/flamegraph.ts';
import { runCli } from '../../harness/cli.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden', 'stacks');

describe('furnace collapse-perf', () => {
  it('folds perf script from stdin like the golden file, with options', async () => {
    const script = readFileSync(join(GOLDEN_DIR, 'kernel-frames.perf-script'));
    const result = await runCli(collapsePerf, ['--kernel'], script);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, readFileSync(join(GOLDEN_DIR, 'kernel-frames.kernel.folded'), 'utf8'));
  });

  it('reads a file named on the command line', async () => {
    const result = await runCli(collapsePerf, ['--tid', join(GOLDEN_DIR, 'comm-with-spaces.perf-script')]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, readFileSync(join(GOLDEN_DIR, 'comm-with-spaces.tid.folded'), 'utf8'));
  });

  it('notes on stderr which event it kept when there were several', async () => {
    const script = readFileSync(join(GOLDEN_DIR, 'mixed-events.perf-script'));
    const result = await runCli(collapsePerf, [], script);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /Filtering for events of type: cycles \(1 samples/);
  });

  it("reads and writes the process's own descriptors (fds) as the installed command does, never its streams", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'furnace-cli-fds-'));
    const input = openSync(join(GOLDEN_DIR, 'kernel-frames.perf-script'), 'r');
    const output = openSync(join(dir, 'out.folded'), 'w');
    t.after(() => {
      closeSync(input);
      closeSync(output);
      rmSync(dir, { recursive: true });
    });
    const untouched = (): never => assert.fail('the stream was used instead of the descriptor');
    const io = {
      get stdin() {
        return untouched();
      },
      get stdout() {
        return untouched();
      },
      get stderr() {
        return untouched();
      },
      fds: { stdin: input, stdout: output },
    };
    assert.equal(await collapsePerf(['--kernel'], io), 0);
    assert.equal(
      readFileSync(join(dir, 'out.folded'), 'utf8'),
      readFileSync(join(GOLDEN_DIR, 'kernel-frames.kernel.folded'), 'utf8'),
    );
  });

  it('exits 2 naming an unknown option', async () => {
    const result = await runCli(collapsePerf, ['--inline']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /'--inline'/);
  });

  it('exits 1 when the input file cannot be read', async () => {
    const result = await runCli(collapsePerf, ['/nonexistent/perf.script']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ENOENT/);
  });
});

describe('furnace flamegraph', () => {
  const folded = 'app;main;work 3\napp;main;idle 1\n';

  it('renders SVG by default with the options given', async () => {
    const argv = [
      '--title',
      'T',
      '--subtitle',
      'S',
      '--width',
      '900',
      '--colors',
      'aqua',
      '--inverted',
      '--minwidth',
      '1',
    ];
    const result = await runCli(flamegraph, argv, folded);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^<\?xml/);
    assert.match(result.stdout, /width="900"/);
    assert.match(result.stdout, /<text id="title"[^>]*>T<\/text>/);
    assert.match(result.stdout, /<text id="subtitle"[^>]*>S<\/text>/);
    assert.match(result.stdout, /work \(3 samples, 75.00%\)/);
  });

  it('renders the HTML viewer with --html and speedscope JSON with --speedscope', async () => {
    const html = await runCli(flamegraph, ['--html'], folded);
    assert.equal(html.code, 0);
    assert.match(html.stdout, /^<!DOCTYPE html>/);
    const speedscope = await runCli(flamegraph, ['--speedscope', '--title', 'web'], folded);
    assert.equal(speedscope.code, 0);
    const file = JSON.parse(speedscope.stdout) as { name: string; profiles: { endValue: number }[] };
    assert.equal(file.name, 'web');
    assert.equal(file.profiles[0]?.endValue, 4);
  });

  for (const [argv, named] of [
    [['--width', 'wide'], '--width'],
    [['--width', '10'], '--width'],
    [['--minwidth', '-1'], '--minwidth'],
    [['--colors', 'pink'], '--colors'],
    [['--html', '--speedscope'], '--html'],
    [['--frobnicate'], '--frobnicate'],
    [['--title'], '--title'],
  ] as const) {
    it(`exits 2 on ${argv.join(' ')}, naming ${named}`, async () => {
      const result = await runCli(flamegraph, [...argv], folded);
      assert.equal(result.code, 2);
      assert.ok(result.stderr.includes(named), result.stderr);
      assert.equal(result.stdout, '');
    });
  }

  for (const [input, what] of [
    ['', 'empty input'],
    ['\n\n', 'blank lines'],
    ['perf script text, not folded\nmain 12abc\n', 'lines that are not folded stacks'],
    ['app;main 0\n', 'only zero counts'],
  ] as const) {
    it(`exits 2 with a message and no SVG on ${what}, as flamegraph.pl does`, async () => {
      const result = await runCli(flamegraph, [], input);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^furnace flamegraph: .*no stack counts found in the input/ms);
    });
  }

  it('says how many lines it ignored and renders the rest', async () => {
    const result = await runCli(flamegraph, [], `not folded\n${folded}`);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, 'furnace flamegraph: ignored 1 line that is not a folded stack\n');
    assert.match(result.stdout, /work \(3 samples, 75.00%\)/);
  });

  it('prints usage with --help', async () => {
    const result = await runCli(flamegraph, ['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /usage: furnace flamegraph/);
  });
});
