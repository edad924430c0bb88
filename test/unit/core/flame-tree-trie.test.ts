// The compact flame tree built straight from the collapser's trie is the one built from the folded
// stacks (split again into frames, merged, sorted, encoded), on every golden perf script and option.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeFlameTree, writeCompactTree } from '../../../core/render/flame-tree-compact.ts';
import { buildFlameTree } from '../../../core/render/flame-tree.ts';
import { compactTreeOfTrie } from '../../../core/render/flame-tree-trie.ts';
import { StackCollapser, type CollapseOptions } from '../../../core/stacks/collapse-perf.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden', 'stacks');
const VARIANTS: CollapseOptions[] = [{}, { pid: true }, { tid: true, all: true }, { addrs: true }];

/** Both ways from the same collapser: the tree from its trie, and the tree from its folded stacks. */
function bothWays(text: string | Buffer, options: CollapseOptions): { trie: Uint8Array; folded: Uint8Array } {
  const collapser = new StackCollapser({ ...options, small: true });
  collapser.push(text);
  const trie = collapser.endTrie();
  return {
    trie: writeCompactTree(compactTreeOfTrie(trie)),
    folded: writeCompactTree(encodeFlameTree(buildFlameTree(trie.folded()))),
  };
}

describe('compact flame tree from the stack trie', () => {
  const scripts = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.perf-script'));
  it('has golden perf scripts to read', () => assert.ok(scripts.length >= 10));
  for (const file of scripts) {
    it(`${file}: the same bytes as the tree of the folded stacks, with each option set`, () => {
      const script = readFileSync(join(GOLDEN_DIR, file));
      for (const options of VARIANTS) {
        const { trie, folded } = bothWays(script, options);
        assert.deepEqual(trie, folded, `${file} ${JSON.stringify(options)}`);
      }
    });
  }

  it('sorts siblings by code point, a frame may be named `all`, and a process name with ";" splits', () => {
    const samples = [
      ['app', ['main', 'all', '𝔉']],
      ['app', ['main', '\uffff']],
      ['app', ['main', 'b']],
      ['app', ['main']],
      ['all', ['x']],
      ['a;b', ['c']],
      ['a', ['b', 'c']],
    ] as const;
    const text = samples
      .map(
        ([comm, frames], i) =>
          `${comm} ${i + 1} ${i}.0: 1 cpu-clock:\n${[...frames]
            .reverse()
            .map((f) => `\t1 ${f} (/x)`)
            .join('\n')}\n\n`,
      )
      .join('');
    for (const options of [{}, { pid: true }]) {
      const { trie, folded } = bothWays(text, options);
      assert.deepEqual(trie, folded);
    }
  });

  it('gives the root alone for no samples', () => {
    const { trie, folded } = bothWays('', {});
    assert.deepEqual(trie, folded);
  });
});
