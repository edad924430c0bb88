import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { buildSandwich } from '../../../ui/src/viewer/sandwich.ts';
import { sortFunctions, topFunctions } from '../../../ui/src/viewer/top-functions.ts';

const tree = (text: string): FlameNode => buildFlameTree(parseFolded(text));

function shape(node: FlameNode): unknown {
  return [node.name, node.value, ...node.children.map(shape)];
}

describe('top functions', () => {
  it('adds self samples per function and total samples with the function anywhere on the stack', () => {
    const rows = topFunctions(
      tree('app;main;alpha 10\napp;main;beta 30\napp;main;beta;memcpy 5\napp;main 2\n'),
    );
    const byName = new Map(rows.map((row) => [row.name, row]));
    assert.deepEqual(byName.get('beta'), { name: 'beta', self: 30, total: 35 });
    assert.deepEqual(byName.get('alpha'), { name: 'alpha', self: 10, total: 10 });
    assert.deepEqual(byName.get('main'), { name: 'main', self: 2, total: 47 });
    assert.equal(byName.has('all'), false, 'the root is not a function');
  });

  it('counts each sample once in total when a function recurses', () => {
    const rows = topFunctions(tree('p;f;f;f 4\np;f;g;f 6\np;g 1\n'));
    const f = rows.find((row) => row.name === 'f');
    assert.deepEqual(f, { name: 'f', self: 10, total: 10 });
    assert.deepEqual(
      rows.find((row) => row.name === 'g'),
      { name: 'g', self: 1, total: 7 },
    );
  });

  it('sorts by self or total, largest first with ties by name, or by name', () => {
    const rows = [
      { name: 'b', self: 1, total: 9 },
      { name: 'a', self: 5, total: 5 },
      { name: 'c', self: 5, total: 6 },
    ];
    assert.deepEqual(
      sortFunctions(rows, 'self').map((r) => r.name),
      ['a', 'c', 'b'],
    );
    assert.deepEqual(
      sortFunctions(rows, 'total').map((r) => r.name),
      ['b', 'c', 'a'],
    );
    assert.deepEqual(
      sortFunctions(rows, 'name').map((r) => r.name),
      ['a', 'b', 'c'],
    );
  });

  it('counts every function of a 3,000-frame-deep stack', () => {
    const deep = `p;${Array.from({ length: 3_000 }, (_, i) => `f${i}`).join(';')} 3\n`;
    assert.equal(topFunctions(tree(deep)).length, 3_001);
  });
});

describe('sandwich', () => {
  it('shows the callers of a function down toward the root and its callees above it', () => {
    const root = tree(
      'app;main;parse;malloc 4\napp;main;render;malloc 6\napp;main;render;draw 5\napp;gc;malloc 2\n',
    );
    const malloc = buildSandwich(root, 'malloc');
    assert.equal(malloc.total, 12);
    assert.deepEqual(shape(malloc.callers), [
      'malloc',
      12,
      ['gc', 2, ['app', 2]],
      ['parse', 4, ['main', 4, ['app', 4]]],
      ['render', 6, ['main', 6, ['app', 6]]],
    ]);
    const render = buildSandwich(root, 'render');
    assert.deepEqual(shape(render.callees), ['render', 11, ['draw', 5], ['malloc', 6]]);
  });

  it('counts only the outermost call of a recursive function', () => {
    const sandwich = buildSandwich(tree('p;f;g;f;h 3\np;f 1\n'), 'f');
    assert.equal(sandwich.total, 4);
    assert.deepEqual(shape(sandwich.callers), ['f', 4, ['p', 4]]);
    assert.deepEqual(shape(sandwich.callees), ['f', 4, ['g', 3, ['f', 3, ['h', 3]]]]);
  });

  it('is empty for a function that is not in the recording', () => {
    const sandwich = buildSandwich(tree('p;a 1\n'), 'zzz');
    assert.equal(sandwich.total, 0);
    assert.equal(sandwich.callers.name, 'zzz');
  });
});
