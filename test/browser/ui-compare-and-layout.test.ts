// Compare's table, Swap and Removed view, and the explorer's layout at 390 px and 768 px: graph first,
// deep profiles opened at their roots, readable hovered buttons, a toolbar that a bad pattern does not
// move, long names cut in the middle, and Top functions narrowed by the search and the zoom, without the
// process frame and [unknown]. Two recordings uploaded through the recorder listener, as the sidecar
// uploads them (issue 21 items 9 and 10).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { compactTreeOf, uploadRecording } from '../bench/ui-stand-in.ts';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { flameGraph, screenshot, topFunctionNames } from './flame-page.ts';

const SECRET = 'ui-compare-layout-secret';
const LONG = `std::map<${'std::vector<std::pair<int, long>>, '.repeat(20)}int>::find`;
const DEEP = Array.from({ length: 150 }, (_, i) => `deep${i}`).join(';');
const BEFORE = [
  `app;main;[unknown] 5`,
  `app;main;work;furnace_kept 100`,
  `app;main;work;furnace_old_path 60`,
  `app;main;${LONG} 40`,
  `app;main;${DEEP} 30`,
].join('\n');
const AFTER = [
  `app;main;work;furnace_kept 100`,
  `app;main;work;furnace_new_path 120`,
  `app;main;${LONG} 40`,
  `app;main;${DEEP} 30`,
].join('\n');

async function withRecordings(t: Parameters<typeof startLocalServer>[0]) {
  const recorderPort = await freePort();
  const server = await startLocalServer(t, {
    localSidecar: false,
    env: { FURNACE_REGISTRATION_SECRET: SECRET, FURNACE_RECORDER_PORT: String(recorderPort) },
  });
  const recorderUrl = `http://127.0.0.1:${recorderPort}`;
  await uploadRecording(recorderUrl, SECRET, { id: 'before-1', folded: BEFORE, tree: compactTreeOf(BEFORE) });
  await uploadRecording(recorderUrl, SECRET, { id: 'after-1', folded: AFTER, tree: compactTreeOf(AFTER) });
  return server;
}

function topNames(page: Page): Promise<string[]> {
  return page
    .locator('.top-functions tbody th button')
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('title') ?? ''));
}

function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const linear = [r, g, b].map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (linear[0] ?? 0) + 0.7152 * (linear[1] ?? 0) + 0.0722 * (linear[2] ?? 0);
}

/** WCAG contrast of an element's text on its background, as the browser computed their colours. */
async function contrastOf(page: Page, selector: string): Promise<number> {
  const { color, background } = await page
    .locator(selector)
    .first()
    .evaluate((element) => {
      const style = getComputedStyle(element);
      return { color: style.color, background: style.backgroundColor };
    });
  const [a, b] = [luminance(color), luminance(background)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

describe('compare and the explorer on small screens (real server, uploaded recordings)', () => {
  it('lists the change per function, sortable by change, the functions only the baseline has, swaps, and draws the removed frames', async (t) => {
    const server = await withRecordings(t);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(server.keyedUrl('/compare/before-1/after-1'));
      await flameGraph(page).waitFor();
      const table = page.getByRole('table', { name: /^Change per function/ });
      const firstRow = async (): Promise<string> =>
        ((await table.locator('tbody tr').first().textContent()) ?? '').replace(/\s+/g, ' ');
      assert.match(await firstRow(), /^furnace_new_path0\.00%41\.38%\+41\.38 pts$/);
      await table.getByRole('button', { name: 'Change ▼' }).click();
      assert.match(await firstRow(), /^furnace_old_path25\.53%0\.00%−25\.53 pts$/);
      const removed = page.getByRole('table', { name: 'Only in before-1 (1 functions)' });
      await removed.waitFor();
      assert.deepEqual(await removed.locator('tbody th').allTextContents(), ['furnace_old_path']);
      await screenshot(page, 'compare-table');

      await page.getByRole('button', { name: 'Removed (only in before-1)' }).click();
      await page.waitForURL(/diff=removed/);
      assert.equal(
        await flameGraph(page).getAttribute('aria-label'),
        'Flame graph of the frames only before-1 has, 65 samples',
      );
      await page.getByRole('button', { name: 'Swap before and after' }).click();
      await page.waitForURL(/\/compare\/after-1\/before-1/);
      await page.getByRole('heading', { name: 'Compare after-1 → before-1' }).waitFor();
      for (const width of [390, 768]) {
        await page.setViewportSize({ width, height: 900 });
        await screenshot(page, `compare-${width}`);
      }
    });
  });

  for (const width of [390, 768])
    it(`works at ${width} px: graph first, roots in view, readable hovered buttons, a steady toolbar, names cut in the middle, Top functions narrowed by search and zoom`, async (t) => {
      const server = await withRecordings(t);
      await withPage(t, async (page) => {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(server.keyedUrl('/recordings/before-1'));
        await flameGraph(page).waitFor();
        await topFunctionNames(page);
        const graph = await page.locator('.flame').boundingBox();
        const table = await page.locator('.top-functions').boundingBox();
        assert.ok(graph && table && graph.y + graph.height <= table.y, 'the graph, then the table below it');
        assert.ok(graph.width <= width, `the graph fits: ${graph.width}`);
        const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(pageWidth <= width, `no sideways scrolling: ${pageWidth}`);
        // 150 frames deep: the graph scrolls within its box, opened at the roots.
        const box = await page
          .locator('.flame')
          .evaluate((e) => ({ top: e.scrollTop, left: e.scrollHeight - e.clientHeight }));
        assert.ok(box.left > 0 && box.top === box.left, `scrolled to the roots: ${JSON.stringify(box)}`);

        const names = await topNames(page);
        assert.ok(!names.includes('app') && !names.includes('[unknown]'), names.join(', '));
        const long = page.locator('.top-functions button.function', { hasText: '::find' });
        const shown = (await long.textContent()) ?? '';
        assert.ok(
          shown.startsWith('std::map<') && shown.includes('…') && shown.endsWith('int>::find'),
          shown,
        );
        await screenshot(page, `explorer-${width}`);

        await page.getByRole('button', { name: 'Top functions' }).hover();
        assert.ok(
          (await contrastOf(page, '.side .tabs button[aria-pressed="true"]')) >= 4.5,
          'a hovered pressed button stays readable',
        );

        // Where the Icicle button is on the page (not in the window, which the typing may scroll).
        const icicleAt = () =>
          page.getByRole('button', { name: 'Icicle' }).evaluate((button) => {
            const box = button.getBoundingClientRect();
            return { x: box.left + window.scrollX, y: box.top + window.scrollY };
          });
        const before = await icicleAt();
        await page.getByLabel('Search').fill('furnace_(');
        await page.locator('#search-status.field-error').waitFor();
        assert.deepEqual(await icicleAt(), before, 'the message does not move the toolbar');
        await page.getByLabel('Search').fill('furnace_');
        await page.getByRole('table', { name: 'Top functions matching /furnace_/' }).waitFor();
        assert.deepEqual((await topNames(page)).sort(), ['furnace_kept', 'furnace_old_path']);

        await page.getByLabel('Search').fill('');
        await page.goto(server.keyedUrl('/recordings/before-1?zoom=0.0.3'));
        await page.getByRole('table', { name: 'Top functions in work' }).waitFor();
        // The zoomed function itself too: its own row is the first a user looks for.
        assert.deepEqual((await topNames(page)).sort(), ['furnace_kept', 'furnace_old_path', 'work']);
        await screenshot(page, `explorer-zoomed-${width}`);
      });
    });
});
