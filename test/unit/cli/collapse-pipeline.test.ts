// `furnace collapse-perf` on two threads as a pipeline (a worker finds and matches the lines, this thread
// collapses): the text is one pass's for every golden input and option set, with slots small enough that
// lines are cut between them many times, CRLF, first-event filtering and a last line without its newline
// included, whether the finder reads all of it or this thread reads a head first; a line longer than a slot
// gives the input back to one pass. The CLI takes this path with --threads 2.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { collapseInPipeline } from '../../../cli/parallel-collapse/collapse-pipeline.ts';
import type { RingShape } from '../../../cli/parallel-collapse/line-ring.ts';
import { run as collapsePerf } from '../../../cli/collapse-perf.ts';
import { StackCollapser, type CollapseOptions } from '../../../core/stacks/collapse-perf.ts';
import { runCli } from '../../harness/cli.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden', 'stacks');
const SMALL: RingShape = { slots: 2, slotBytes: 4096 };

function onePass(bytes: Buffer, options: CollapseOptions): string {
  const collapser = new StackCollapser(options);
  collapser.push(bytes);
  return Buffer.concat([...collapser.endText()]).toString('utf8');
}

/** `head`: bytes this thread reads itself before the finder takes over (0: the finder reads it all). */
async function piped(
  file: string,
  options: CollapseOptions,
  shape: RingShape,
  head = 0,
): Promise<string | undefined> {
  const fd = openSync(file, 'r');
  try {
    const collapser = await collapseInPipeline(fd, options, shape, head);
    return collapser === undefined ? undefined : Buffer.concat([...collapser.endText()]).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'furnace-pipeline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('collapse-perf as a two-thread pipeline', () => {
  it('gives the same text as one pass for every golden input and option set', async (t) => {
    const dir = tempDir(t);
    const inputs = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.perf-script'));
    const optionSets: CollapseOptions[] = [{}, { tid: true, all: true, addrs: true }];
    for (const input of inputs) {
      const once = readFileSync(join(GOLDEN_DIR, input));
      // Repeated, so the lines are seen again (ids only) and fall across the 4 KiB slots' ends.
      const bytes = Buffer.concat(Array.from({ length: 9 }, () => Buffer.concat([once, Buffer.from('\n')])));
      const file = join(dir, input);
      writeFileSync(file, bytes);
      for (const options of optionSets) {
        assert.equal(
          await piped(file, options, SMALL, options.tid === true ? bytes.length / 3 : 0),
          onePass(bytes, options),
          `${input} ${JSON.stringify(options)}`,
        );
      }
    }
  });

  it('reads a last line without its newline as one pass does', async (t) => {
    const file = join(tempDir(t), 'cut.perf-script');
    const bytes = Buffer.from(
      'prog 7 1.0: 1 cpu-clock:\n\t1 main (/p)\n\nprog 7 1.1: 1 cpu-clock:\n\t2 leaf (/p)\n\t1 main (/p)',
    );
    writeFileSync(file, bytes);
    assert.equal(await piped(file, {}, SMALL), onePass(bytes, {}));
  });

  it('gives a line longer than a slot back to one pass', async (t) => {
    const file = join(tempDir(t), 'long.perf-script');
    writeFileSync(file, `prog 7 1.0: 1 cpu-clock:\n\t1 ${'x'.repeat(5000)} (/p)\n\n`);
    assert.equal(await piped(file, {}, SMALL), undefined);
  });

  it('is what `furnace collapse-perf --threads 2 FILE` does, and the default, --threads 1, 2, 3 agree', async (t) => {
    const file = join(tempDir(t), 'big.perf-script');
    const once = readFileSync(join(GOLDEN_DIR, 'node-perf-basic-prof.perf-script'));
    const copy = Buffer.concat([once, Buffer.from('\n')]);
    writeFileSync(
      file,
      Buffer.concat(Array.from({ length: Math.ceil((17 << 20) / copy.length) }, () => copy)),
    );
    const texts = [];
    for (const args of [[], ['--threads', '1'], ['--threads', '2'], ['--threads', '3']]) {
      const result = await runCli(collapsePerf, [...args, '--jit', file]);
      assert.equal(result.code, 0, result.stderr);
      texts.push(result.stdout);
    }
    assert.match(texts[0] ?? '', /_\[j\] \d+$/m);
    for (const text of texts) assert.equal(text, texts[0]);
  });
});
