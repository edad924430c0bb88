import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFlameTree, encodeFlameTree } from '../../../core/render/flame-tree-compact.ts';
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { searchFlameTree } from '../../../core/render/flame-view.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { searchTree } from '../../../ui/src/viewer/search-tree.ts';
import { sortFunctions, topFunctions } from '../../../ui/src/viewer/top-functions.ts';
import { syntheticFolded } from '../../bench/ui-stand-in.ts';

const RECURSIVE = ['p;f;f;f 4', 'p;f;g;f 6', 'p;g 1', 'q;all;f 2', 'q 3'].join('\n');
const SYNTHETIC = syntheticFolded(1500);

const both = (text: string): { objects: FlameNode; compact: FlameNode } => {
  const objects = buildFlameTree(parseFolded(text));
  return { objects, compact: decodeFlameTree(encodeFlameTree(objects)) };
};

/** Every frame's name, depth-first, with whether `isMatch` says it matches. */
function marks(root: FlameNode, isMatch: (node: FlameNode) => boolean): string[] {
  const out: string[] = [];
  const pending = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    out.push(`${node.name}:${isMatch(node) ? 1 : 0}`);
    pending.push(...node.children);
  }
  return out;
}

describe('walks over the compact tree', () => {
  it('search matches the same frames and the same share as searchFlameTree over frame objects', () => {
    for (const [text, pattern] of [
      [RECURSIVE, /^f$/],
      [RECURSIVE, /g|all/],
      [SYNTHETIC, /Svc1[0-9]::fn9/],
      [SYNTHETIC, /ns3::/g],
      [SYNTHETIC, /no such frame/],
    ] as const) {
      const { objects, compact } = both(text);
      const expected = searchFlameTree(objects, pattern);
      const found = searchTree(compact, pattern);
      assert.equal(found.matched, expected.matched, `${pattern} matched`);
      assert.equal(found.share, expected.share);
      assert.deepEqual(
        marks(compact, found.isMatch),
        marks(objects, (node) => expected.matches.has(node)),
      );
    }
  });

  it('counts the root when it matches, as searchFlameTree does', () => {
    const found = searchTree(both(RECURSIVE).compact, /^all$/);
    assert.equal(found.share, 1);
  });

  it('top functions: the same self and total per function, recursion counted once, no root row', () => {
    for (const text of [RECURSIVE, SYNTHETIC]) {
      const { objects, compact } = both(text);
      const expected = sortFunctions(topFunctions(objects), 'total');
      assert.deepEqual(sortFunctions(topFunctions(compact), 'total'), expected);
    }
    const rows = topFunctions(both(RECURSIVE).compact);
    assert.deepEqual(
      rows.find((row) => row.name === 'f'),
      { name: 'f', self: 12, total: 12 },
    );
    assert.equal(
      rows.filter((row) => row.name === 'all').length,
      1,
      'a frame named like the root is a function',
    );
  });

  it('top functions of a zoomed frame: the same rows over the arrays as walking its subtree', () => {
    for (const text of [RECURSIVE, SYNTHETIC]) {
      const { objects, compact } = both(text);
      // The two trees side by side, depth-first: same children in the same order.
      const pending: [FlameNode, FlameNode][] = [[objects, compact]];
      let compared = 0;
      for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
        const [object, frame] = pair;
        assert.equal(frame.name, object.name);
        if (compared++ % 7 === 0)
          assert.deepEqual(
            sortFunctions(topFunctions(frame), 'total'),
            sortFunctions(topFunctions(object), 'total'),
            `zoomed to ${object.name}`,
          );
        object.children.forEach((child, i) => pending.push([child, frame.children[i] as FlameNode]));
      }
      assert.ok(compared > 5);
    }
    const f = both(RECURSIVE).compact.children[0]?.children[0];
    assert.ok(f?.name === 'f');
    assert.deepEqual(sortFunctions(topFunctions(f), 'name'), [
      { name: 'f', self: 10, total: 10 },
      { name: 'g', self: 0, total: 6 },
    ]);
  });

  it('top functions: a name written twice in the string table is one row', () => {
    const tree = encodeFlameTree(buildFlameTree(parseFolded('p;f 1\np;g;f 2\n')));
    const f = tree.names.indexOf('f');
    const second = tree.names.push('f') - 1;
    // The second f frame (under g) points at the repeated name.
    const last = tree.name.length - 1;
    assert.equal(tree.name[last], f);
    tree.name[last] = second;
    const rows = topFunctions(decodeFlameTree(tree));
    assert.deepEqual(
      rows.filter((row) => row.name === 'f'),
      [{ name: 'f', self: 3, total: 3 }],
    );
  });
});
