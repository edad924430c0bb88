// The view model shared by the viewers: zoomed layout and search, checked against the folded input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlameTree, layoutFlameTree, type FlameNode } from '../../../core/render/flame-tree.ts';
import { findPath, fitLabel, layoutFlameView, searchFlameTree } from '../../../core/render/flame-view.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import type { FoldedStacks } from '../../../core/stacks/folded.ts';

const FOLDED =
  'app;main;work;leaf_a 30\napp;main;work;leaf_b 10\napp;main;idle 60\napp;main 20\nother;tiny 1\n';
const TREE = buildFlameTree(parseFolded(FOLDED));

function node(root: FlameNode, ...names: string[]): FlameNode {
  let at = root;
  for (const name of names) {
    const child = at.children.find((c) => c.name === name);
    assert.ok(child, `frame ${names.join(';')}`);
    at = child;
  }
  return at;
}

function rows(view: ReturnType<typeof layoutFlameView<FlameNode>>): unknown[] {
  return view.frames.map((f) => [f.node.name, f.depth, f.x, f.width, f.ancestor]);
}

/** The share a user would compute by hand: samples whose stack has a matching frame, over all. */
function shareFromFolded(stacks: FoldedStacks, pattern: RegExp): number {
  let matched = 0;
  let total = 0;
  for (const [stack, count] of stacks) {
    total += count;
    if (['all', ...stack.split(';')].some((name) => pattern.test(name))) matched += count;
  }
  return total > 0 ? matched / total : 0;
}

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

describe('layoutFlameView', () => {
  it('unzoomed: the whole tree across the width, children from the left edge in name order', () => {
    const view = layoutFlameView(TREE, { width: 121 });
    assert.deepEqual(rows(view).slice(0, 7), [
      ['all', 0, 0, 121, false],
      ['app', 1, 0, 120, false],
      ['main', 2, 0, 120, false],
      ['idle', 3, 0, 60, false],
      ['work', 3, 60, 40, false],
      ['leaf_a', 4, 60, 30, false],
      ['leaf_b', 4, 90, 10, false],
    ]);
    assert.deepEqual(view.path, [TREE]);
    assert.equal(view.maxDepth, 4);
  });

  it('zoomed: ancestors at full width, the focus at full width, siblings gone, the subtree scaled', () => {
    const work = node(TREE, 'app', 'main', 'work');
    const view = layoutFlameView(TREE, { width: 400, focus: work });
    assert.deepEqual(rows(view), [
      ['all', 0, 0, 400, true],
      ['app', 1, 0, 400, true],
      ['main', 2, 0, 400, true],
      ['work', 3, 0, 400, false],
      ['leaf_a', 4, 0, 300, false],
      ['leaf_b', 4, 300, 100, false],
    ]);
    assert.deepEqual(
      view.path.map((n) => n.name),
      ['all', 'app', 'main', 'work'],
    );
  });

  it('leaves out frames under minWidth with what stands on them; zooming in brings them back', () => {
    const stacks = parseFolded('p;a;deep;deeper 1\np;b 999\n');
    const tree = buildFlameTree(stacks);
    const names = (focus?: FlameNode) =>
      layoutFlameView(tree, { width: 1000, minWidth: 2, focus }).frames.map((f) => f.node.name);
    assert.deepEqual(names(), ['all', 'p', 'b']);
    assert.deepEqual(names(node(tree, 'p', 'a')), ['all', 'p', 'a', 'deep', 'deeper']);
  });

  it('counts a focus that is not in the tree as the root, and draws nothing without samples', () => {
    const stranger: FlameNode = { name: 'x', value: 5, self: 5, children: [] };
    assert.deepEqual(
      rows(layoutFlameView(TREE, { width: 121, focus: stranger })),
      rows(layoutFlameView(TREE, { width: 121 })),
    );
    assert.deepEqual(layoutFlameView(buildFlameTree(new Map()), { width: 100 }), {
      frames: [],
      maxDepth: 0,
      path: [buildFlameTree(new Map())],
    });
  });

  it('is the layout of layoutFlameTree when not zoomed, shifted by the padding', () => {
    const flat = layoutFlameTree(TREE, 1200, 0.1, 10);
    const view = layoutFlameView(TREE, { width: 1180, minWidth: 0.1 });
    assert.deepEqual(
      flat.frames.map((f) => [f.node, f.depth, f.x, f.width]),
      view.frames.map((f) => [f.node, f.depth, f.x + 10, f.width]),
    );
  });

  it('handles a recursion 50,000 frames deep without overflowing the stack', () => {
    // Built by hand: a recursive profile deeper than any call stack of the viewer's own.
    const leaf: FlameNode = { name: 'r', value: 3, self: 3, children: [] };
    let deep = leaf;
    for (let i = 1; i < 50_000; i++) deep = { name: 'r', value: 3, self: 0, children: [deep] };
    deep = { name: 'all', value: 3, self: 0, children: [deep] };
    const view = layoutFlameView(deep, { width: 100, focus: leaf });
    assert.equal(view.frames.length, 50_001);
    assert.equal(view.maxDepth, 50_000);
    assert.equal(findPath(deep, leaf)?.length, 50_001);
    assert.equal(searchFlameTree(deep, /^r$/).matches.size, 50_000);
  });
});

describe('searchFlameTree', () => {
  it('finds every matching frame and counts samples once when matches nest', () => {
    const found = searchFlameTree(TREE, /main|work|leaf_a/);
    assert.deepEqual([...found.matches].map((n) => n.name).sort(), ['leaf_a', 'main', 'work']);
    // main holds work holds leaf_a: 120 samples, not 120 + 40 + 30.
    assert.equal(found.matched, 120);
    assert.equal(found.total, 121);
    assert.equal(found.share, 120 / 121);
  });

  it('adds up separate matches, and the same name in two places', () => {
    const tree = buildFlameTree(parseFolded('a;malloc 3\nb;malloc 4\nb;free 2\nc 1\n'));
    const found = searchFlameTree(tree, /^(malloc|free)$/);
    assert.equal(found.matches.size, 3);
    assert.equal(found.matched, 9);
    assert.equal(found.share, 0.9);
  });

  it('gives the share within a zoomed frame when searching from it', () => {
    const found = searchFlameTree(node(TREE, 'app', 'main'), /leaf_b/);
    assert.equal(found.share, 10 / 120);
  });

  it('tests a global or sticky pattern from the start for every frame', () => {
    assert.equal(searchFlameTree(TREE, /leaf/g).matches.size, 2);
    assert.equal(searchFlameTree(TREE, /leaf/y).matches.size, 2);
  });

  it('matches nothing, or has no samples, as a share of 0', () => {
    assert.deepEqual(searchFlameTree(TREE, /nope/).share, 0);
    assert.equal(searchFlameTree(buildFlameTree(new Map()), /.*/).share, 0);
  });

  it('equals the share computed from the folded stacks, for random profiles and patterns', () => {
    const next = random(42);
    const pick = (n: number) => Math.floor(next() * n);
    const names = ['a', 'b', 'ab', 'ba', 'c', 'main', 'mainloop'];
    for (let round = 0; round < 200; round++) {
      const stacks: FoldedStacks = new Map();
      for (let s = 0; s < 1 + pick(12); s++) {
        const stack = Array.from({ length: 1 + pick(6) }, () => names[pick(names.length)]).join(';');
        stacks.set(stack, (stacks.get(stack) ?? 0) + 1 + pick(50));
      }
      const pattern = [/a/, /^b/, /main$/, /^a$|c/, /x/, /l/][pick(6)] as RegExp;
      const found = searchFlameTree(buildFlameTree(stacks), pattern);
      const expected = shareFromFolded(stacks, pattern);
      assert.ok(Math.abs(found.share - expected) < 1e-12, `round ${round}: ${found.share} vs ${expected}`);
    }
  });
});

describe('fitLabel', () => {
  it('shows the whole name, cuts it with "..", or shows nothing under three characters', () => {
    assert.equal(fitLabel('a_long_function_name', 1000, 7), 'a_long_function_name');
    assert.equal(fitLabel('a_long_function_name', 60, 7.08), 'a_lon..');
    assert.equal(fitLabel('a_long_function_name', 20, 7.08), '');
  });
});
