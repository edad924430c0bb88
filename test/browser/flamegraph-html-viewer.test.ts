// The self-contained HTML flame graph in chromium, under its own Content-Security-Policy: tooltips,
// click to zoom, reset, search as you type with the matched share, and hostile names as text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { renderFlameGraphHtml } from '../../core/render/html.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { withPage } from '../harness/browser.ts';
import {
  HOSTILE_NAMES,
  hostileStacks,
  injectedMarkup,
  matchedFromFolded,
  watchPage,
} from '../harness/flame-graph-pages.ts';

const STACKS = parseFolded(
  'app;main;work;leaf_a 30\napp;main;work;leaf_b 10\napp;main;idle 60\nother;tiny 1\n',
);
const MATCH = 'rgb(230, 0, 230)';

interface ShownFrame {
  label: string;
  x: number;
  width: number;
  faded: boolean;
  background: string;
}

/** Every frame drawn, its box relative to the chart, whether faded, its colour and its label. */
async function framesOf(page: Page): Promise<ShownFrame[]> {
  return page.evaluate(() => {
    const chart = (document.getElementById('chart') as HTMLElement).getBoundingClientRect();
    return Array.from(document.querySelectorAll<HTMLElement>('#chart .frame')).map((el) => {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return {
        label: el.textContent ?? '',
        x: Math.round(box.x - chart.x),
        width: Math.round(box.width),
        faded: style.opacity === '0.5',
        background: style.backgroundColor,
      };
    });
  });
}

function byLabel(frames: ShownFrame[], label: string): ShownFrame {
  const found = frames.find((f) => f.label === label);
  assert.ok(found, `frame ${label}`);
  return found;
}

function frame(page: Page, label: string) {
  return page.locator('#chart .frame').filter({ hasText: new RegExp(`^${label}$`) });
}

async function chartWidth(page: Page): Promise<number> {
  return page.evaluate(() => (document.getElementById('chart') as HTMLElement).clientWidth);
}

describe('HTML flame graph viewer in chromium', () => {
  it('zooms into a clicked frame, resets, and shows function, samples and percent on hover', async (t) => {
    await withPage(t, async (page) => {
      const seen = watchPage(page);
      await page.setContent(renderFlameGraphHtml(STACKS));
      const width = await chartWidth(page);
      const before = await framesOf(page);
      assert.equal(byLabel(before, 'all').width, width - 1);
      assert.ok(before.every((f) => !f.faded));
      assert.equal(await page.isDisabled('#reset'), true);

      await frame(page, 'leaf_a').hover();
      assert.equal(await page.textContent('#tooltip'), 'leaf_a (30 samples, 29.70%)');
      assert.equal(await page.isVisible('#tooltip'), true);
      assert.equal(await page.textContent('#status'), 'leaf_a (30 samples, 29.70%)');
      await page.mouse.move(1, 1);
      assert.equal(await page.isVisible('#tooltip'), false);

      await frame(page, 'work').click();
      const zoomed = await framesOf(page);
      assert.deepEqual(
        zoomed.map((f) => [f.label, f.faded]),
        [
          ['all', true],
          ['app', true],
          ['main', true],
          ['work', false],
          ['leaf_a', false],
          ['leaf_b', false],
        ],
        'ancestors faded, the siblings gone',
      );
      assert.deepEqual([byLabel(zoomed, 'work').x, byLabel(zoomed, 'work').width], [0, width - 1]);
      assert.equal(byLabel(zoomed, 'leaf_b').x, Math.round(width * 0.75));
      assert.equal(await page.isDisabled('#reset'), false);

      await page.click('#reset');
      assert.deepEqual(await framesOf(page), before);
      assert.equal(await page.isDisabled('#reset'), true);

      await frame(page, 'idle').click();
      await page.keyboard.press('Escape');
      assert.deepEqual(await framesOf(page), before);

      await page.setViewportSize({ width: 700, height: 600 });
      await page.waitForFunction((w) => document.getElementById('chart')?.clientWidth !== w, width);
      assert.equal(byLabel(await framesOf(page), 'all').width, (await chartWidth(page)) - 1, 'redrawn');

      await page.setContent(renderFlameGraphHtml(new Map()));
      assert.equal(await page.textContent('#chart'), 'No samples');
      assert.deepEqual([seen.errors, seen.dialogs], [[], []]);
    });
  });

  it('searches as you type: matches painted, the share counted once per sample', async (t) => {
    await withPage(t, async (page) => {
      const seen = watchPage(page);
      await page.setContent(renderFlameGraphHtml(STACKS));
      await page.keyboard.press('Control+f');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'search');

      // leaf_a sits inside work: a share that counted it twice would say 70.3%.
      await page.keyboard.type('work|leaf_a|tiny');
      const expected = matchedFromFolded(STACKS, /work|leaf_a|tiny/);
      assert.equal(expected, 'Matched: 40.6%');
      assert.equal(await page.textContent('#matched'), expected);
      const frames = await framesOf(page);
      assert.equal(frames.filter((f) => f.background === MATCH).length, 3, 'work, leaf_a and tiny');
      for (const name of ['work', 'leaf_a']) assert.equal(byLabel(frames, name).background, MATCH);
      assert.notEqual(byLabel(frames, 'idle').background, MATCH);

      await frame(page, 'work').click();
      assert.equal(byLabel(await framesOf(page), 'leaf_a').background, MATCH, 'still painted in a zoom');
      assert.equal(await page.textContent('#matched'), expected);

      await page.fill('#search', 'main(');
      assert.equal(await page.getAttribute('#search', 'class'), 'bad');
      assert.equal((await page.textContent('#matched'))?.trim(), '');
      await page.fill('#search', '^idle$');
      assert.equal(await page.textContent('#matched'), matchedFromFolded(STACKS, /^idle$/));
      assert.equal(await page.getAttribute('#search', 'class'), '');

      await page.keyboard.press('Escape');
      assert.equal(await page.inputValue('#search'), '');
      assert.equal((await page.textContent('#matched'))?.trim(), '');
      assert.ok((await framesOf(page)).every((f) => f.background !== MATCH));
      assert.deepEqual([seen.errors, seen.dialogs], [[], []]);
    });
  });

  it('shows hostile names and a hostile title as text and runs none of them', async (t) => {
    await withPage(t, async (page) => {
      const seen = watchPage(page);
      const stacks = hostileStacks();
      const total = [...stacks.values()].reduce((a, b) => a + b, 0);
      const title = '</title><script>window.__pwned=5</script>';
      await page.setContent(renderFlameGraphHtml(stacks, { title }));
      assert.equal(await page.title(), title);
      assert.equal(await page.textContent('h1'), title);
      const labels = (await framesOf(page)).map((f) => f.label);
      for (const [i, name] of HOSTILE_NAMES.entries()) {
        assert.ok(labels.includes(name), `a frame reads ${name.slice(0, 40)}`);
        await page
          .locator('#chart .frame')
          .nth(labels.indexOf(name))
          .hover({ position: { x: 5, y: 5 } });
        const samples = 100 + i;
        const percent = ((100 * samples) / total).toFixed(2);
        assert.equal(await page.textContent('#tooltip'), `${name} (${samples} samples, ${percent}%)`);
      }
      assert.equal(HOSTILE_NAMES[5]?.length, 5000);
      await page.fill('#search', '<img');
      assert.equal(await page.textContent('#matched'), matchedFromFolded(stacks, /<img/));

      const dom = await injectedMarkup(page, 'img, b, svg');
      assert.deepEqual(dom, { pwned: undefined, scripts: 2, foreign: 0, handlers: false });
      assert.deepEqual([seen.errors, seen.dialogs], [[], []]);
    });
  });
});
