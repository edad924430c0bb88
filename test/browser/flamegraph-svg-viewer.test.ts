// The script inside flame graph SVGs, run by chromium on an SVG opened from a file: hover details,
// click to zoom, Reset Zoom, Search with the matched share, and hostile names that stay text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { renderFlameGraphSvg, type FlameGraphOptions } from '../../core/render/svg.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { withPage } from '../harness/browser.ts';
import {
  HOSTILE_NAMES,
  hostileStacks,
  injectedMarkup,
  matchedFromFolded,
  openSvgFile,
  type PageWatch,
  watchPage,
} from '../harness/flame-graph-pages.ts';

const STACKS = parseFolded(
  'app;main;work;leaf_a 30\napp;main;work;leaf_b 10\napp;main;idle 60\nother;tiny 1\n',
);
const MATCH = 'rgb(230,0,230)';

interface ShownFrame {
  name: string;
  title: string;
  x: number;
  width: number;
  shown: boolean;
  faded: boolean;
  fill: string;
  label: string;
}

/** Every frame as the page shows it: on-screen box, visibility, fading, colour and label. */
async function framesOf(page: Page): Promise<ShownFrame[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('#frames > g')).map((g) => {
      const rect = g.querySelector('rect') as SVGRectElement;
      const box = rect.getBoundingClientRect();
      const title = g.querySelector('title')?.textContent ?? '';
      const style = getComputedStyle(g);
      return {
        name: title.replace(/ \([^(]*\)$/, ''),
        title,
        x: Math.round(box.x * 100) / 100,
        width: Math.round(box.width * 100) / 100,
        shown: style.display !== 'none',
        faded: style.opacity === '0.5',
        fill: rect.getAttribute('fill') ?? '',
        label: g.querySelector('text')?.textContent ?? '',
      };
    }),
  );
}

function byName(frames: ShownFrame[], name: string): ShownFrame {
  const found = frames.find((f) => f.name === name);
  assert.ok(found, `frame ${name}`);
  return found;
}

async function clickFrame(page: Page, name: string): Promise<void> {
  const index = (await framesOf(page)).findIndex((f) => f.name === name);
  assert.ok(index >= 0, `frame ${name}`);
  await page.locator('#frames > g').nth(index).click();
}

async function searchFor(page: Page, seen: PageWatch, term: string): Promise<void> {
  seen.answerPrompt(term);
  await page.click('#search');
}

async function open(t: Parameters<typeof withPage>[0], page: Page, options: FlameGraphOptions = {}) {
  await openSvgFile(t, page, renderFlameGraphSvg(STACKS, options));
}

describe('SVG flame graph script in chromium', () => {
  it('zooms into a clicked frame, resets, and shows function, samples and percent on hover', async (t) => {
    await withPage(t, async (page) => {
      const seen = watchPage(page);
      await open(t, page);
      const before = await framesOf(page);
      assert.ok(before.every((f) => f.shown && !f.faded));
      assert.equal(await page.locator('#unzoom').isVisible(), false);

      await page
        .locator('#frames > g')
        .nth(before.findIndex((f) => f.name === 'leaf_a'))
        .hover();
      assert.equal(await page.textContent('#details'), 'Function: leaf_a (30 samples, 29.70%)');
      await page.mouse.move(1, 1);
      assert.equal((await page.textContent('#details'))?.trim(), '');

      await clickFrame(page, 'work');
      const zoomed = await framesOf(page);
      assert.deepEqual(
        [byName(zoomed, 'work').x, byName(zoomed, 'work').width],
        [10, 1180],
        'the clicked frame spans the width',
      );
      assert.deepEqual(
        ['leaf_a', 'leaf_b'].map((n) => [byName(zoomed, n).x, byName(zoomed, n).width]),
        [
          [10, 885],
          [895, 295],
        ],
        'its children scaled with it',
      );
      for (const name of ['idle', 'other', 'tiny']) assert.equal(byName(zoomed, name).shown, false, name);
      for (const name of ['all', 'app', 'main']) {
        const f = byName(zoomed, name);
        assert.ok(f.shown && f.faded && f.width === 1180, `${name} stays below, full width and faded`);
      }
      assert.equal(byName(zoomed, 'leaf_a').label, 'leaf_a');
      assert.equal(await page.locator('#unzoom').isVisible(), true);

      await page.click('#unzoom');
      assert.deepEqual(await framesOf(page), before);
      assert.equal(await page.locator('#unzoom').isVisible(), false);

      await clickFrame(page, 'main');
      await clickFrame(page, 'leaf_b');
      assert.equal(byName(await framesOf(page), 'leaf_b').width, 1180, 'zoom again from a zoom');
      await page.keyboard.press('Escape');
      assert.deepEqual(await framesOf(page), before);
      assert.deepEqual([seen.errors, seen.dialogs], [[], []]);
    });
  });

  it('zooms an icicle graph the same way, roots on top', async (t) => {
    await withPage(t, async (page) => {
      await open(t, page, { inverted: true, width: 600 });
      await clickFrame(page, 'idle');
      const frames = await framesOf(page);
      assert.deepEqual([byName(frames, 'idle').x, byName(frames, 'idle').width], [10, 580]);
      assert.equal(byName(frames, 'work').shown, false);
      const rowOf = (name: string) =>
        page.evaluate(
          (i) => document.querySelectorAll('#frames > g rect')[i]?.getBoundingClientRect().y ?? 0,
          frames.findIndex((f) => f.name === name),
        );
      assert.ok((await rowOf('main')) < (await rowOf('idle')), 'the faded parent is above');
    });
  });

  it('searches with a regular expression: matches painted, the share counted once per sample', async (t) => {
    await withPage(t, async (page) => {
      const seen = watchPage(page);
      await open(t, page);
      const colours = new Map((await framesOf(page)).map((f) => [f.name, f.fill]));
      // leaf_a sits inside work: a share that counted it twice would say 70.3%.
      await searchFor(page, seen, 'work|leaf_a|tiny');
      const expected = matchedFromFolded(STACKS, /work|leaf_a|tiny/);
      assert.equal(expected, 'Matched: 40.6%');
      assert.equal(await page.textContent('#matched'), expected);
      const painted = (await framesOf(page)).filter((f) => f.fill === MATCH).map((f) => f.name);
      assert.deepEqual(painted.sort(), ['leaf_a', 'tiny', 'work']);

      await clickFrame(page, 'work');
      assert.equal(byName(await framesOf(page), 'leaf_a').fill, MATCH, 'matches stay painted in a zoom');
      assert.equal(await page.textContent('#matched'), expected);

      await page.click('#search'); // a second click clears the search
      assert.equal((await page.textContent('#matched'))?.trim(), '');
      for (const f of await framesOf(page)) assert.equal(f.fill, colours.get(f.name), f.name);

      seen.answerPrompt('^idle$');
      await page.keyboard.press('Control+f');
      assert.equal(await page.textContent('#matched'), matchedFromFolded(STACKS, /^idle$/));
      assert.equal(byName(await framesOf(page), 'idle').fill, MATCH);

      await page.keyboard.press('Escape');
      assert.equal((await page.textContent('#matched'))?.trim(), '');
      assert.equal(byName(await framesOf(page), 'idle').shown, true, 'Escape also resets the zoom');

      const alert = page.waitForEvent('dialog', (d) => d.type() === 'alert');
      await searchFor(page, seen, '(unclosed');
      assert.match((await alert).message(), /^Not a regular expression: /);
      assert.equal((await page.textContent('#matched'))?.trim(), '');
      assert.deepEqual(seen.errors, []);
    });
  });

  it('shows hostile names as text and runs none of them', async (t) => {
    await withPage(t, async (page) => {
      const seen = watchPage(page);
      const stacks = hostileStacks();
      const total = [...stacks.values()].reduce((a, b) => a + b, 0);
      await openSvgFile(t, page, renderFlameGraphSvg(stacks, { width: 4000 }));
      const frames = await framesOf(page);
      for (const name of HOSTILE_NAMES) {
        const frame = byName(frames, name);
        assert.ok(frame.label.length > 3 && name.startsWith(frame.label.replace(/\.\.$/, '')), 'label');
        await clickFrame(page, name);
        const zoomed = byName(await framesOf(page), name);
        assert.equal(zoomed.width, 3980);
        assert.ok(name.startsWith(zoomed.label.replace(/\.\.$/, '')), `zoomed label of ${name.slice(0, 40)}`);
        await page.locator('#frames > g').nth(frames.indexOf(frame)).hover();
        const samples = stacks.get(`app;${name}`) ?? 0;
        const percent = ((100 * samples) / total).toFixed(2);
        assert.equal(
          await page.textContent('#details'),
          `Function: ${name} (${samples} samples, ${percent}%)`,
        );
        await page.click('#unzoom');
      }
      assert.equal(HOSTILE_NAMES[5]?.length, 5000);
      assert.equal(byName(frames, HOSTILE_NAMES[5] ?? '').label.endsWith('..'), true, 'a long name is cut');
      await searchFor(page, seen, '<img');
      assert.equal(await page.textContent('#matched'), matchedFromFolded(stacks, /<img/));

      const dom = await injectedMarkup(page, 'img, b, svg svg, foreignObject');
      assert.deepEqual(dom, { pwned: undefined, scripts: 2, foreign: 0, handlers: false });
      assert.deepEqual([seen.errors, seen.dialogs], [[], []]);
    });
  });
});
