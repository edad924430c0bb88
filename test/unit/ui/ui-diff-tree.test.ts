import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlameTree } from '../../../core/render/flame-tree.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { diffColor, diffFlameTrees, formatDelta, type DiffNode } from '../../../ui/src/viewer/diff-tree.ts';

const tree = (text: string) => buildFlameTree(parseFolded(text));

function find(node: DiffNode, path: string[]): DiffNode | undefined {
  let current: DiffNode | undefined = node;
  for (const name of path) current = current?.children.find((child) => child.name === name);
  return current;
}

describe('differential flame graph', () => {
  it('draws the second recording and colours each frame by the change in its share of samples', () => {
    // Before: alpha 25%, beta 75%. After: alpha 60%, beta 20%, gamma (new) 20%.
    const diff = diffFlameTrees(tree('p;alpha 25\np;beta 75\n'), tree('p;alpha 30\np;beta 10\np;gamma 10\n'));
    assert.equal(diff.beforeTotal, 100);
    assert.equal(diff.afterTotal, 50);
    const alpha = find(diff.root, ['p', 'alpha']);
    const beta = find(diff.root, ['p', 'beta']);
    const gamma = find(diff.root, ['p', 'gamma']);
    assert.equal(alpha?.value, 30);
    assert.equal(alpha?.before, 25);
    assert.ok(Math.abs((alpha?.delta ?? 0) - 0.35) < 1e-9);
    assert.ok(Math.abs((beta?.delta ?? 0) + 0.55) < 1e-9);
    assert.ok(Math.abs((gamma?.delta ?? 0) - 0.2) < 1e-9, 'a new frame gains its whole share');
    assert.equal(find(diff.root, ['p'])?.delta, 0, 'the process holds every sample in both');
    assert.ok(Math.abs(diff.maxDelta - 0.55) < 1e-9);
  });

  it('uses red for a larger share, blue for a smaller one and white-grey for no change', () => {
    assert.equal(diffColor(0.5, 0.5), 'rgb(255,40,40)');
    assert.equal(diffColor(-0.5, 0.5), 'rgb(40,40,255)');
    assert.equal(diffColor(0, 0.5), 'rgb(235,235,235)');
    const faint = /rgb\(255,(\d+),\1\)/.exec(diffColor(0.05, 0.5));
    assert.ok(faint && Number(faint[1]) > 200, 'a small change is a pale red');
    assert.equal(formatDelta(0.0123), '+1.23 pts');
    assert.equal(formatDelta(-0.5), '−50.00 pts');
  });

  it('compares a recording with itself as no change anywhere', () => {
    const same = tree('p;a;b 3\np;c 7\n');
    const diff = diffFlameTrees(same, same);
    assert.equal(diff.maxDelta, 0);
  });
});
