// `furnace collapse-perf` on a file cut into parts at sample boundaries and collapsed by worker threads:
// the text is the same as one pass's, for every golden input and option set, repeated so that the cuts
// fall in many places, CRLF and first-event filtering included.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { collapseFileInParts } from '../../../cli/parallel-collapse/collapse-file.ts';
import { afterBlankLine, splitAtSamples } from '../../../cli/parallel-collapse/split-input.ts';
import { StackCollapser, type CollapseOptions } from '../../../core/stacks/collapse-perf.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden', 'stacks');

function onePass(bytes: Buffer, options: CollapseOptions): string {
  const collapser = new StackCollapser(options);
  collapser.push(bytes);
  return Buffer.concat([...collapser.endText()]).toString('utf8');
}

async function inParts(file: string, size: number, options: CollapseOptions): Promise<string | undefined> {
  const fd = openSync(file, 'r');
  try {
    const collapser = await collapseFileInParts(fd, size, options, { parts: 3, minBytes: 0 });
    return collapser === undefined ? undefined : Buffer.concat([...collapser.endText()]).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

describe('collapse-perf in parts', () => {
  it('cuts just after a blank line, LF or CRLF', () => {
    assert.equal(afterBlankLine(Buffer.from('a\n\tb\n\nc\n')), 6);
    assert.equal(afterBlankLine(Buffer.from('a\r\n\tb\r\n\r\nc\r\n')), 9);
    assert.equal(afterBlankLine(Buffer.from('a\n\tb\n')), -1);
  });

  it('gives the same text as one pass for every golden input, cut in three', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'furnace-parts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const inputs = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.perf-script'));
    const optionSets: CollapseOptions[] = [{}, { tid: true, all: true }, { pid: true, addrs: true }];
    let parted = 0;
    for (const input of inputs) {
      const once = readFileSync(join(GOLDEN_DIR, input));
      // Repeated, with a blank line between copies (a golden input may end without one).
      const bytes = Buffer.concat(Array.from({ length: 7 }, () => Buffer.concat([once, Buffer.from('\n')])));
      const file = join(dir, input);
      writeFileSync(file, bytes);
      for (const options of optionSets) {
        const text = await inParts(file, bytes.length, options);
        if (text === undefined) continue;
        parted++;
        assert.equal(text, onePass(bytes, options), `${input} ${JSON.stringify(options)}`);
      }
    }
    // Most inputs have an event in their head and blank lines to cut at.
    assert.ok(parted >= inputs.length, `only ${parted} runs were cut into parts`);
  });

  it('splits into ranges that cover the file in order', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'furnace-parts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'in.perf-script');
    const sample = 'prog 1 1.0: 1 cpu-clock:\n\t1 main (/p)\n\n';
    writeFileSync(file, sample.repeat(1000));
    const fd = openSync(file, 'r');
    try {
      const ranges = splitAtSamples(fd, sample.length * 1000, 4);
      assert.equal(ranges.length, 4);
      assert.equal(ranges[0]?.start, 0);
      assert.equal(ranges[3]?.end, sample.length * 1000);
      for (let i = 1; i < ranges.length; i++) {
        assert.equal(ranges[i]?.start, ranges[i - 1]?.end);
        assert.equal((ranges[i]?.start ?? 0) % sample.length, 0);
      }
    } finally {
      closeSync(fd);
    }
  });
});
