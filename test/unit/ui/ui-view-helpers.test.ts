import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlameTree } from '../../../core/render/flame-tree.ts';
import { layoutFlameView } from '../../../core/render/flame-view.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { frameAt, groupRows, moveFrom } from '../../../ui/src/viewer/frame-rows.ts';
import { detectPalette } from '../../../ui/src/viewer/language.ts';
import { matchedText, parseSearch } from '../../../ui/src/viewer/search-status.ts';
import { indicesOfPath, pathAt } from '../../../ui/src/viewer/zoom-path.ts';
import { layoutAlongPath } from '../../../ui/src/viewer/zoomed-layout.ts';

const tree = (text: string) => buildFlameTree(parseFolded(text));

describe('UI view helpers', () => {
  it('names a zoomed frame by child indices and finds it again', () => {
    const root = tree('p;a;x 1\np;b;y 2\np;b;z 3\n');
    const path = pathAt(root, [0, 1, 1]);
    assert.deepEqual(
      path.map((n) => n.name),
      ['all', 'p', 'b', 'z'],
    );
    assert.deepEqual(indicesOfPath(path), [0, 1, 1]);
    assert.deepEqual(
      pathAt(root, [0, 9, 9]).map((n) => n.name),
      ['all', 'p'],
      'a stale path stops at the last frame that exists',
    );
    assert.deepEqual(indicesOfPath([root]), []);
  });

  it('lays out a zoom along a known path exactly as layoutFlameView does by searching for the focus', () => {
    const root = tree('p;a;x 1\np;b;y 2\np;b;z;w 3\np;c 1\nq;r 4\n');
    for (const indices of [[], [0], [0, 1], [0, 1, 1], [0, 1, 1, 0], [1, 0]]) {
      const path = pathAt(root, indices);
      const focus = path[path.length - 1];
      for (const minWidth of [0, 0.5, 90]) {
        const expected = layoutFlameView(root, { width: 500, minWidth, focus });
        assert.deepEqual(
          layoutAlongPath(path, { width: 500, minWidth }),
          expected,
          `${indices.join('.')} ${minWidth}`,
        );
      }
    }
  });

  it('picks the palette from the language the frames show', () => {
    assert.equal(
      detectPalette(tree('java;java/lang/Thread.run;com/acme/Server.handle 5\njava;Interpreter 1\n')),
      'java',
    );
    assert.equal(detectPalette(tree('node;LazyCompile:*render /app/server.js:10;JS:~x 4\n')), 'js');
    assert.equal(detectPalette(tree('perl;Perl_runops_standard;main::run /app/x.pl:3 4\n')), 'perl');
    assert.equal(detectPalette(tree('hot;main;furnace_light 4\n')), 'hot');
  });

  it('finds the frame under a point and moves between frames like the keyboard does', () => {
    const root = tree('p;a;x 1\np;b;y 2\np;b;z 1\n');
    const view = layoutFlameView(root, { width: 400 });
    const rows = groupRows(view.frames);
    assert.equal(frameAt(rows, 2, 10)?.node.name, 'a');
    assert.equal(frameAt(rows, 2, 250)?.node.name, 'b');
    assert.equal(frameAt(rows, 3, 399)?.node.name, 'z');
    assert.equal(frameAt(rows, 9, 10), undefined);
    const b = frameAt(rows, 2, 250);
    assert.ok(b);
    assert.equal(moveFrom(rows, b, 'left').node.name, 'a');
    assert.equal(moveFrom(rows, b, 'right'), b, 'the right edge stays put');
    assert.equal(moveFrom(rows, b, 'child').node.name, 'y', 'down into the widest child');
    assert.equal(moveFrom(rows, b, 'parent').node.name, 'p');
  });

  it('reads the search box as a regular expression, or says why not', () => {
    const parsed = parseSearch('light|heavy');
    assert.ok(parsed.ok && parsed.pattern?.test('furnace_heavy'));
    const broken = parseSearch('(unclosed');
    assert.equal(broken.ok, false);
    assert.deepEqual(parseSearch(''), { ok: true, pattern: undefined });
    assert.equal(matchedText(0.2468), 'Matched: 24.7%');
  });
});
