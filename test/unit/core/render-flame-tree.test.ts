import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlameTree, layoutFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';

function shape(node: FlameNode): unknown {
  return [node.name, node.value, node.self, ...node.children.map(shape)];
}

describe('buildFlameTree', () => {
  it('merges equal frames under the same parent and sorts children by name', () => {
    const tree = buildFlameTree(parseFolded('p;main;b 2\np;main;a 3\np;main 1\np;other;a 4\n'));
    assert.deepEqual(shape(tree), [
      'all',
      10,
      0,
      ['p', 10, 0, ['main', 6, 1, ['a', 3, 3], ['b', 2, 2]], ['other', 4, 0, ['a', 4, 4]]],
    ]);
  });

  it('ignores stacks without samples', () => {
    assert.deepEqual(
      shape(
        buildFlameTree(
          new Map([
            ['a', 0],
            ['b', 2],
          ]),
        ),
      ),
      ['all', 2, 0, ['b', 2, 2]],
    );
  });
});

describe('layoutFlameTree', () => {
  it('places children left to right inside their parent, in pixels', () => {
    const tree = buildFlameTree(parseFolded('p;a 1\np;b 3\n'));
    const layout = layoutFlameTree(tree, 420, 0, 10);
    const at = (name: string) => layout.frames.find((f) => f.node.name === name);
    assert.deepEqual(
      layout.frames.map((f) => [f.node.name, f.depth, f.x, f.width]),
      [
        ['all', 0, 10, 400],
        ['p', 1, 10, 400],
        ['a', 2, 10, 100],
        ['b', 2, 110, 300],
      ],
    );
    assert.equal(layout.maxDepth, 2);
    assert.equal(at('b')?.x, 110);
  });

  it('prunes narrow frames with everything above them, and depth follows what is kept', () => {
    const tree = buildFlameTree(parseFolded('p;a;deep;deeper 1\np;b 999\n'));
    const layout = layoutFlameTree(tree, 1020, 2, 10);
    assert.deepEqual(
      layout.frames.map((f) => f.node.name),
      ['all', 'p', 'b'],
    );
    assert.equal(layout.maxDepth, 2);
  });

  it('has nothing to place for no samples', () => {
    assert.deepEqual(layoutFlameTree(buildFlameTree(new Map()), 1200, 0.1), {
      frames: [],
      maxDepth: 0,
      total: 0,
    });
  });
});
