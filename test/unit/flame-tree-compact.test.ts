import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import {
  decodeFlameTree,
  encodeFlameTree,
  type CompactFlameTree,
} from '../../core/render/flame-tree-compact.ts';
import { buildFlameTree, type FlameNode } from '../../core/render/flame-tree.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { syntheticFolded } from '../bench/ui-stand-in.ts';

function shape(node: FlameNode): unknown {
  return [node.name, node.value, node.self, node.children.map(shape)];
}

const SAMPLE = [
  'app;main;<svg onload=alert(1)>;"quoted" 3',
  'app;main;std::vector<int>::push_back 5',
  'app;main 2',
  'app;idle;ä;𝔉 1',
  'other;main 4',
].join('\n');

describe('compact flame tree (flame-tree.json.gz)', () => {
  it('decodes to the same tree, names, totals and order, as the folded stacks build', () => {
    for (const text of [SAMPLE, syntheticFolded(2000)]) {
      const tree = buildFlameTree(parseFolded(text));
      const compact = encodeFlameTree(tree);
      const travelled = JSON.parse(gunzipSync(gzipSync(JSON.stringify(compact))).toString('utf8')) as unknown;
      assert.deepEqual(shape(decodeFlameTree(travelled)), shape(tree));
    }
  });

  it('stores each name once and is much smaller than the folded text once gzipped', () => {
    const text = syntheticFolded(5000);
    const compact = encodeFlameTree(buildFlameTree(parseFolded(text)));
    assert.equal(new Set(compact.names).size, compact.names.length);
    const gzipped = gzipSync(JSON.stringify(compact)).length;
    assert.ok(
      gzipped * 10 < Buffer.byteLength(text),
      `${gzipped} bytes against ${text.length} of folded text`,
    );
  });

  it('makes the frames a walk visits, and keeps them (the same objects on every visit)', () => {
    const tree = decodeFlameTree(encodeFlameTree(buildFlameTree(parseFolded(SAMPLE))));
    const app = tree.children[0];
    assert.equal(app, tree.children[0]);
    assert.deepEqual(
      app?.children.map((c) => [c.name, c.value, c.self]),
      [
        ['idle', 1, 0],
        ['main', 10, 2],
      ],
    );
  });

  it('encodes and decodes a stack deeper than the call stack would allow', () => {
    const root: FlameNode = { name: 'all', value: 2, self: 0, children: [] };
    let tip = root;
    for (let i = 0; i < 50_000; i++) {
      const node: FlameNode = { name: `f${i % 7}`, value: 2, self: 0, children: [] };
      tip.children.push(node);
      tip = node;
    }
    tip.self = 2;
    const tree = decodeFlameTree(encodeFlameTree(root));
    let depth = 0;
    for (let node = tree.children[0]; node; node = node.children[0]) depth++;
    assert.equal(depth, 50_000);
    assert.equal(tree.value, 2);
  });

  it('refuses what is not a tree: parents that are not earlier frames, names or samples out of range', () => {
    const good = encodeFlameTree(buildFlameTree(parseFolded(SAMPLE)));
    const broken: [string, (t: CompactFlameTree) => void, RegExp][] = [
      ['a forward parent', (t) => (t.parent[2] = -1), /parent offset -1/],
      ['a parent before the root', (t) => (t.parent[2] = 3), /parent offset 3/],
      [
        'a parent off the path to the frame before (not depth-first)',
        (t) => (t.parent[t.parent.length - 1] = 2),
        /depth-first order/,
      ],
      ['a root with a parent', (t) => (t.parent[0] = 1), /root has a parent/],
      ['a name out of range', (t) => (t.name[1] = t.names.length), /names index/],
      ['negative samples', (t) => (t.self[1] = -4), /-4 samples/],
      ['samples that are not numbers', (t) => ((t.self as unknown[])[1] = '3'), /3 samples/],
      ['arrays of different lengths', (t) => t.self.pop(), /differ in length/],
      ['another format', (t) => ((t as { version: number }).version = 2), /is not furnace-flame-tree v1/],
    ];
    for (const [what, breakIt, message] of broken) {
      const copy = structuredClone(good);
      breakIt(copy);
      assert.throws(() => decodeFlameTree(copy), { code: 'ERR_INVALID_ARTIFACT', message }, what);
    }
    assert.throws(() => decodeFlameTree(null), { code: 'ERR_INVALID_ARTIFACT' });
    assert.throws(() => decodeFlameTree({ ...good, name: [], parent: [], self: [] }), /no root frame/);
  });
});
