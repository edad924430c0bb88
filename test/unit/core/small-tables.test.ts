// The collapser's tables started at one entry grow past it and keep every line and node: a continuous
// profiling window's collapser starts small (CollapseOptions.small), and must find what a full-size one finds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteLineCache, powerOfTwoAbove } from '../../../core/stacks/byte-line-cache.ts';
import { ROOT, StackTrie } from '../../../core/stacks/stack-trie.ts';

describe('collapser tables that start small', () => {
  it('a line cache of one line grows and finds every line it was given', () => {
    const cache = new ByteLineCache(1000, 1);
    const lines = Array.from({ length: 300 }, (_, i) =>
      Buffer.from(`\t${i.toString(16)} frame_${i} (/bin/x)\n`),
    );
    lines.forEach((line, i) => {
      cache.hashLine(line, 0);
      cache.add(line, [i, i + 1]);
    });
    lines.forEach((line, i) => {
      const view = new DataView(line.buffer, line.byteOffset, line.length);
      cache.hashLine(line, 0);
      assert.ok(cache.find(line, view), `line ${i}`);
      const first = cache.firstOf(cache.current);
      assert.deepEqual([...cache.pool.subarray(first, first + cache.countOf(cache.current))], [i, i + 1]);
    });
  });

  it('a cache at its limit starts over rather than growing past it', () => {
    const cache = new ByteLineCache(8, 1);
    const line = (i: number) => Buffer.from(`line ${i}\n`);
    for (let i = 0; i < 20; i++) {
      const bytes = line(i);
      cache.hashLine(bytes, 0);
      cache.add(bytes, []);
    }
    const last = line(19);
    const view = new DataView(last.buffer, last.byteOffset, last.length);
    cache.hashLine(last, 0);
    assert.ok(cache.find(last, view));
    const first = line(0);
    cache.hashLine(first, 0);
    assert.equal(cache.find(first, new DataView(first.buffer, first.byteOffset)), false);
  });

  it('a trie of one node grows and folds every stack', () => {
    const small = new StackTrie(1);
    const names = Array.from({ length: 50 }, (_, i) => small.intern(`f${i}`));
    for (let leaf = 0; leaf < 50; leaf++) {
      let node = small.child(ROOT, names[0] as number);
      for (let depth = 1; depth <= leaf; depth++) node = small.child(node, names[depth] as number);
      small.count(node, leaf + 1);
    }
    const folded = small.folded();
    assert.equal(folded.size, 50);
    assert.equal(folded.get('f0;f1;f2'), 3);
    assert.equal(small.size, 50);
  });

  it('powerOfTwoAbove', () => {
    assert.deepEqual([1, 2, 3, 1024, 1025].map(powerOfTwoAbove), [1, 2, 4, 1024, 2048]);
  });
});
