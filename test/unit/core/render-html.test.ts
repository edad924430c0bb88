import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFlameGraphHtml } from '../../../core/render/html.ts';
import { HTML_VIEWER_SCRIPT } from '../../../core/render/viewer-bundle.generated.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';

const STACKS = parseFolded('app;main;work 3\napp;main;idle 1\n');

function dataOf(html: string): {
  root: unknown;
  names: string[];
  colors: string[];
  inverted: boolean;
  countName: string;
} {
  const m = /<script type="application\/json" id="furnace-data">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'data block');
  return JSON.parse(m[1] as string) as ReturnType<typeof dataOf>;
}

describe('renderFlameGraphHtml', () => {
  it('is one self-contained page: no external scripts, styles, images or fetches', () => {
    const html = renderFlameGraphHtml(STACKS, { title: 'CPU', subtitle: 'pod a' });
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /\b(src|href)=/i);
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /\bfetch\(|XMLHttpRequest|import\(/);
    assert.match(html, /<title>CPU<\/title>/);
    assert.match(html, /<p class="subtitle">pod a<\/p>/);
  });

  it('embeds the merged tree with shared names and colours', () => {
    const data = dataOf(renderFlameGraphHtml(STACKS, { colors: 'blue', countName: 'ns' }));
    assert.deepEqual(data.names, ['all', 'app', 'main', 'idle', 'work']);
    assert.deepEqual(data.root, [
      0,
      4,
      [
        [
          1,
          4,
          [
            [
              2,
              4,
              [
                [3, 1],
                [4, 3],
              ],
            ],
          ],
        ],
      ],
    ]);
    assert.equal(data.colors.length, data.names.length);
    assert.equal(data.inverted, false);
    assert.equal(data.countName, 'ns');
  });

  // What the viewer does with them is tested in chromium: test/browser/flamegraph-html-viewer.test.ts.
  it('has the elements of the viewer and its script, inverted too', () => {
    const html = renderFlameGraphHtml(STACKS, { inverted: true });
    assert.equal(dataOf(html).inverted, true);
    assert.match(html, /<h1>Icicle Graph<\/h1>/);
    for (const id of ['reset', 'search', 'matched', 'tooltip', 'chart', 'status'])
      assert.match(html, new RegExp(`id="${id}"`));
    assert.ok(html.includes(`<script>${HTML_VIEWER_SCRIPT}</script>`));
  });

  it('pins its own script in the content security policy', async () => {
    const html = renderFlameGraphHtml(STACKS);
    const script = /<script>([^]*?)<\/script>/.exec(html)?.[1] ?? '';
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(html.includes(`script-src 'sha256-${hash}'`));
  });
});
