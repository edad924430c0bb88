import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import {
  decodeFlameTree,
  encodeFlameTree,
  readCompactTree,
  writeCompactTree,
  type CompactFlameTree,
} from '../../../core/render/flame-tree-compact.ts';
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { syntheticFolded } from '../../bench/ui-stand-in.ts';

function shape(node: FlameNode): unknown {
  return [node.name, node.value, node.self, node.children.map(shape)];
}

const SAMPLE = [
  'app;main;<svg onload=alert(1)>;"quoted" 3',
  'app;main;std::vector<int>::push_back 5',
  'app;main 2',
  'app;idle;ä;𝔉 1',
  'other;main 4.5',
].join('\n');

/** Through the file and back: write, gzip, gunzip (into a pooled, unaligned Buffer), read. */
function travel(tree: CompactFlameTree): CompactFlameTree {
  const unaligned = Buffer.concat([Buffer.from([0]), gunzipSync(gzipSync(writeCompactTree(tree)))]);
  return readCompactTree(unaligned.subarray(1));
}

describe('compact flame tree (flame-tree.bin.gz)', () => {
  it('decodes to the same tree, names, totals and order, as the folded stacks build', () => {
    for (const text of [SAMPLE, syntheticFolded(2000)]) {
      const tree = buildFlameTree(parseFolded(text));
      assert.deepEqual(shape(decodeFlameTree(travel(encodeFlameTree(tree)))), shape(tree));
    }
  });

  it('stores each name once and is much smaller than the folded text once gzipped', () => {
    const text = syntheticFolded(5000);
    const compact = encodeFlameTree(buildFlameTree(parseFolded(text)));
    assert.equal(new Set(compact.names).size, compact.names.length);
    const gzipped = gzipSync(writeCompactTree(compact)).length;
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
    const tree = decodeFlameTree(travel(encodeFlameTree(root)));
    let depth = 0;
    for (let node = tree.children[0]; node; node = node.children[0]) depth++;
    assert.equal(depth, 50_000);
    assert.equal(tree.value, 2);
  });

  it('refuses what is not a tree: parents off the depth-first path, names or samples out of range', () => {
    const good = encodeFlameTree(buildFlameTree(parseFolded(SAMPLE)));
    const last = good.parent.length - 1;
    const broken: [string, (t: CompactFlameTree) => void, RegExp][] = [
      ['a parent before the root', (t) => (t.parent[2] = 3), /parent offset 3/],
      ['a parent off the path to the frame before', (t) => (t.parent[last] = 2), /depth-first order/],
      ['a root with a parent', (t) => (t.parent[0] = 1), /root has a parent/],
      ['a name out of range', (t) => (t.name[1] = t.names.length), /names index/],
      ['negative samples', (t) => (t.self[1] = -4), /-4 samples/],
      ['samples that are not a number', (t) => (t.self[1] = NaN), /NaN samples/],
    ];
    for (const [what, breakIt, message] of broken) {
      const copy = travel(good);
      breakIt(copy);
      assert.throws(() => decodeFlameTree(copy), { code: 'ERR_INVALID_ARTIFACT', message }, what);
    }
  });

  it('refuses bytes that are not a tree file: another format or version, a wrong length, bad names', () => {
    const bytes = writeCompactTree(encodeFlameTree(buildFlameTree(parseFolded(SAMPLE))));
    const changed = (edit: (b: Uint8Array) => void, length = bytes.length): Uint8Array => {
      const copy = new Uint8Array(length);
      copy.set(bytes.subarray(0, Math.min(length, bytes.length)));
      edit(copy);
      return copy;
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['gzip left on', gzipSync(bytes), /not a Furnace flame tree/],
      ['version 2', changed((b) => (b[4] = 2)), /2 is not 1/],
      ['a missing byte', changed(() => undefined, bytes.length - 1), /do not hold/],
      ['more frames than bytes', changed((b) => (b[8] = 200)), /do not hold/],
      ['names that are not JSON', changed((b) => (b[16] = 0x7b)), /not a JSON array/],
    ];
    for (const [what, input, message] of cases)
      assert.throws(() => readCompactTree(input), { code: 'ERR_INVALID_ARTIFACT', message }, what);
  });
});
