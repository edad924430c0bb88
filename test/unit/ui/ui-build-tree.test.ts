import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { formatFolded, parseFolded } from '../../../core/stacks/folded.ts';
import { buildFlameTreeFromText, createTreeBuilder } from '../../../ui/src/viewer/build-tree.ts';

function shape(node: FlameNode): unknown {
  return [node.name, node.value, node.self, node.children.map(shape)];
}

/** Random folded text from a small alphabet, so stacks share prefixes and names repeat. */
function randomFolded(seed: number, lines: number): string {
  let state = seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const names = ['main', 'a', 'b', 'std::vector<int> f', 'ä', '𝔉', 'x y', '', 'a b c'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const depth = 1 + next(6);
    const frames = Array.from({ length: depth }, () => names[next(names.length)] as string);
    out.push(`${frames.join(';')}${[' ', '  ', '\t'][next(3)]}${1 + next(9)}${next(4) === 0 ? ' \r' : ''}`);
  }
  return out.join('\n');
}

describe('buildFlameTreeFromText', () => {
  it('builds the same tree as buildFlameTree(parseFolded(text)), sorted input or not', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = randomFolded(seed, 200);
      const expected = shape(buildFlameTree(parseFolded(text)));
      assert.deepEqual(shape(buildFlameTreeFromText(text)), expected, `unsorted, seed ${seed}`);
      const sorted = formatFolded(parseFolded(text));
      assert.deepEqual(shape(buildFlameTreeFromText(sorted)), expected, `sorted, seed ${seed}`);
    }
  });

  it('skips lines without a count or a stack and sums repeated stacks', () => {
    const text = 'a;b 2\nnot a count\n 5\na;b 3\n\na;c 1.5\na;d 0\n';
    assert.deepEqual(shape(buildFlameTreeFromText(text)), shape(buildFlameTree(parseFolded(text))));
    assert.equal(buildFlameTreeFromText(text).value, 6.5);
  });

  it('reads a stack whose names share a prefix with the previous line but end elsewhere', () => {
    const tree = buildFlameTreeFromText('ab;cd 1\nab;c 2\nabc;d 4\n');
    assert.deepEqual(shape(tree), shape(buildFlameTree(parseFolded('ab;cd 1\nab;c 2\nabc;d 4\n'))));
  });

  it('builds the same tree from the text cut into chunks anywhere, as a download arrives', () => {
    const text = formatFolded(parseFolded(randomFolded(7, 300)));
    const expected = shape(buildFlameTreeFromText(text));
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const builder = createTreeBuilder();
      for (let at = 0; at < text.length; at += size) builder.add(text.slice(at, at + size));
      assert.deepEqual(shape(builder.finish()), expected, `chunks of ${size}`);
    }
  });
});
