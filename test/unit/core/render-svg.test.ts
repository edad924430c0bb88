// SVG flame graphs: golden files (test/golden/stacks/<case>.svg rendered from <case>.folded,
// refreshed by UPDATE_GOLDEN=1) and the flamegraph.pl features one by one.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SvgViewerData } from '../../../core/render/flame-data.ts';
import { PALETTES, colorFor } from '../../../core/render/palette.ts';
import { fitName, formatCount, renderFlameGraphSvg } from '../../../core/render/svg.ts';
import { SVG_VIEWER_SCRIPT } from '../../../core/render/viewer-bundle.generated.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden', 'stacks');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
// The minified viewer bundle is tested on its own (render-viewer-bundle.test.ts, test/browser); the
// golden files show where it goes, so that they stay readable and change only with the picture.
const SCRIPT_IN_CDATA = `<script type="text/ecmascript"><![CDATA[${SVG_VIEWER_SCRIPT}]]></script>`;
const SCRIPT_PLACEHOLDER = '<script type="text/ecmascript"><![CDATA[/* SVG_VIEWER_SCRIPT */]]></script>';
const STACKS = parseFolded(
  'app;main;work;leaf_a 30\napp;main;work;leaf_b 10\napp;main;idle 60\nother;tiny 1\n',
);

interface Frame {
  title: string;
  x: number;
  y: number;
  width: number;
  fill: string;
  label: string;
}

function framesOf(svg: string): Frame[] {
  const re =
    /<g><title>([^<]*)<\/title><rect x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="15" fill="([^"]+)" rx="2" ry="2"\/><text x="[\d.]+" y="\d+">([^<]*)<\/text><\/g>/g;
  return [...svg.matchAll(re)].map((m) => ({
    title: m[1] as string,
    x: Number(m[2]),
    y: Number(m[3]),
    width: Number(m[4]),
    fill: m[5] as string,
    label: m[6] as string,
  }));
}

function frame(frames: Frame[], name: string): Frame {
  const found = frames.find((f) => f.title.startsWith(`${name} (`));
  assert.ok(found, `frame ${name}`);
  return found;
}

describe('renderFlameGraphSvg', () => {
  for (const file of readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.svg'))) {
    it(`matches golden ${file}`, () => {
      const folded = readFileSync(join(GOLDEN_DIR, file.replace(/\.svg$/, '.folded')), 'utf8');
      const rendered = renderFlameGraphSvg(parseFolded(folded), { subtitle: file.replace(/\.svg$/, '') });
      assert.equal(rendered.split(SCRIPT_IN_CDATA).length, 2, 'the viewer script once, in CDATA');
      const svg = rendered.replace(SCRIPT_IN_CDATA, SCRIPT_PLACEHOLDER);
      const path = join(GOLDEN_DIR, file);
      if (UPDATE) writeFileSync(path, svg);
      assert.ok(existsSync(path));
      assert.equal(svg, readFileSync(path, 'utf8'));
    });
  }

  it('is the same picture for the same stacks in any order', () => {
    const reversed = new Map([...STACKS].reverse());
    assert.equal(renderFlameGraphSvg(reversed), renderFlameGraphSvg(STACKS));
  });

  it('has a title, a subtitle, the width, and tooltips with samples and percent', () => {
    const svg = renderFlameGraphSvg(STACKS, { title: 'CPU of app', subtitle: 'pod web-1', width: 800 });
    assert.match(svg, /<svg version="1.1" width="800" height="\d+" viewBox="0 0 800 \d+"/);
    assert.match(svg, /<text id="title" x="400" y="24">CPU of app<\/text>/);
    assert.match(svg, /<text id="subtitle" x="400" y="48">pod web-1<\/text>/);
    const frames = framesOf(svg);
    assert.equal(frame(frames, 'all').title, 'all (101 samples, 100.00%)');
    assert.equal(frame(frames, 'leaf_a').title, 'leaf_a (30 samples, 29.70%)');
    assert.equal(frame(frames, 'all').width, 780);
    // Children sit left to right in name order, inside their parent.
    assert.ok(frame(frames, 'idle').x < frame(frames, 'work').x);
    assert.equal(
      frame(frames, 'work').x + frame(frames, 'work').width,
      frame(frames, 'main').x + frame(frames, 'main').width,
    );
    assert.match(svg, /<text id="unzoom" class="hide"[^>]*>Reset Zoom<\/text>/);
    assert.match(svg, /<text id="search"[^>]*>Search<\/text>/);
    assert.match(svg, /<text id="matched"/);
    assert.match(svg, /<text id="details"/);
    assert.match(svg, /<g id="frames">/);
  });

  it('embeds the drawn frames for the script, in the order of the <g> elements', () => {
    const svg = renderFlameGraphSvg(STACKS, { width: 1200, minWidth: 20 });
    const json = /<script type="application\/json" id="furnace-data"><!\[CDATA\[([^]*?)\]\]><\/script>/.exec(
      svg,
    );
    assert.ok(json, 'data block');
    const data = JSON.parse(json[1] as string) as SvgViewerData;
    assert.deepEqual([data.width, data.xpad, data.charWidth], [1200, 10, 12 * 0.59]);
    const names: string[] = [];
    const pending = [data.root];
    for (let n = pending.pop(); n; n = pending.pop()) {
      names.push(data.names[n[0]] as string);
      pending.push(...(n[2] ?? []).toReversed());
    }
    assert.deepEqual(
      names,
      framesOf(svg).map((f) => f.title.replace(/ \([^(]*\)$/, '')),
    );
    assert.ok(!names.includes('tiny'), 'a frame left out of the picture is left out of the data');
  });

  it('puts roots at the bottom, or at the top when inverted', () => {
    const flame = framesOf(renderFlameGraphSvg(STACKS));
    assert.ok(frame(flame, 'all').y > frame(flame, 'leaf_a').y);
    const icicleSvg = renderFlameGraphSvg(STACKS, { inverted: true });
    assert.match(icicleSvg, /<text id="title"[^>]*>Icicle Graph<\/text>/);
    const icicle = framesOf(icicleSvg);
    assert.ok(frame(icicle, 'all').y < frame(icicle, 'leaf_a').y);
  });

  it('leaves out frames narrower than minWidth, and what stands on them', () => {
    const all = framesOf(renderFlameGraphSvg(STACKS, { width: 1200 }));
    assert.ok(all.some((f) => f.title.startsWith('tiny (')));
    const pruned = framesOf(renderFlameGraphSvg(STACKS, { width: 1200, minWidth: 20 }));
    assert.ok(!pruned.some((f) => f.title.startsWith('other (') || f.title.startsWith('tiny (')));
    assert.ok(pruned.some((f) => f.title.startsWith('leaf_b (')));
  });

  it('colours by palette, the same name always the same colour', () => {
    for (const palette of PALETTES) {
      const fill = frame(framesOf(renderFlameGraphSvg(STACKS, { colors: palette })), 'leaf_a').fill;
      assert.match(fill, /^rgb\(\d{1,3},\d{1,3},\d{1,3}\)$/);
      assert.equal(fill, colorFor(palette, 'leaf_a'));
    }
    assert.equal(colorFor('java', 'org/example/Foo:.bar_[j]'), colorFor('green', 'org/example/Foo:.bar_[j]'));
    assert.equal(colorFor('java', 'vfs_write_[k]'), colorFor('orange', 'vfs_write_[k]'));
    assert.equal(colorFor('js', 'v8::internal::Invoke'), colorFor('yellow', 'v8::internal::Invoke'));
    assert.match(renderFlameGraphSvg(STACKS, { colors: 'mem' }), /stop-color="#e0e0ff"/);
  });

  it('labels only frames wide enough, cutting names with ..', () => {
    assert.equal(fitName('a_long_function_name', 1000), 'a_long_function_name');
    assert.equal(fitName('a_long_function_name', 60), 'a_lon..');
    assert.equal(fitName('a_long_function_name', 20), '');
    assert.equal(formatCount(1234567), '1,234,567');
  });

  it('says so when there are no samples', () => {
    const svg = renderFlameGraphSvg(new Map());
    assert.match(svg, />No samples</);
    assert.equal(framesOf(svg).length, 0);
  });
});
