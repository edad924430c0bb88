// The end of a tool's stderr that an error message quotes: short, and never starting in the middle of a word.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stderrExcerpt } from '../../../sidecar/profilers/tool-output.ts';

describe('stderrExcerpt', () => {
  it('keeps a short text whole', () => {
    assert.equal(stderrExcerpt('  perf: No such process\n'), 'perf: No such process');
  });

  it('cuts a long text at the start of a line or a word, never mid-word', () => {
    const words = Array.from({ length: 400 }, (_v, i) => `word${i}`).join(' ');
    const excerpt = stderrExcerpt(words, 100);
    assert.ok(excerpt.startsWith('…word'), excerpt);
    assert.ok(excerpt.length <= 101, `${excerpt.length}`);
    assert.ok(words.endsWith(excerpt.slice(1)));
    const lines = `${'x'.repeat(500)}\nError: the last line\n`;
    assert.equal(stderrExcerpt(lines, 60), '…Error: the last line');
  });
});
