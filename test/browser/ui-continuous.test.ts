// The Continuous page against the server's user listener (built in-process, fake Kubernetes gateway at the
// boundary; the real window store, range query, timeline route and UI) and chromium: one hour of windows
// of two pods, the timeline per pod, a brushed range's flame graph with its hot function, two ranges
// compared as a differential graph with the diff table, two pods compared over one range, and an empty
// range and namespace said in words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { withPage } from '../harness/browser.ts';
import { seedHour, startContinuousServer } from '../harness/continuous-server.ts';
import { flameGraph } from './flame-page.ts';

const START = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

/** web-1 spins in old_path for the first half hour and in new_path after; web-2 serves throughout. */
const PODS = [
  {
    pod: 'web-1',
    workload: 'Deployment/web',
    folded: (i: number) =>
      `app;main;${i < 120 ? 'furnace_old_path' : 'furnace_new_path'} 30\napp;main;tick 2\n`,
  },
  { pod: 'web-2', workload: 'Deployment/web', folded: () => 'app;main;furnace_serve 10\n' },
];

function topNames(page: Page): Promise<string[]> {
  return page
    .locator('.top-functions tbody th button')
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('title') ?? ''));
}

/**
 * Drags across the timeline from one share of its width to another, once the timeline named `name` is
 * drawn: a new selection reloads the timeline, and a drag on the one it replaces would be lost.
 */
async function brush(page: Page, from: number, to: number, name = /^Timeline of shop/): Promise<void> {
  const timeline = page.getByRole('img', { name });
  await timeline.waitFor();
  const box = await timeline.boundingBox();
  assert.ok(box, 'the timeline is shown');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to, y, { steps: 5 });
  await page.mouse.up();
}

describe('the Continuous page (in-process server, fake kube gateway; real window store and chromium)', () => {
  it('draws the timeline, the flame graph of a brushed range, and compares two ranges and two pods', async (t) => {
    const server = await startContinuousServer(t);
    assert.equal(await seedHour(server.windows, START, PODS), 480);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1280, height: 1000 });
      await page.goto(`${server.baseUrl}/continuous?ns=shop&from=${START}&to=${START + HOUR}`);
      const legend = page.getByRole('list', { name: 'Samples per pod' });
      await legend.getByText('web-1: 7,680 samples').waitFor();
      await legend.getByText('web-2: 2,400 samples').waitFor();
      // A server with continuous profiling has its way in (local mode has none: ui-explore-edges).
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Continuous' })
        .waitFor();

      await brush(page, 0.05, 0.4);
      await flameGraph(page).waitFor();
      // The Top functions table fills after the graph's first draw: wait for its first row.
      await page.locator('.top-functions tbody th button').first().waitFor();
      const first = await topNames(page);
      assert.ok(first.includes('furnace_old_path'), `the first half's hot function: ${first.join(', ')}`);
      assert.ok(!first.includes('furnace_new_path'), 'nothing of the second half');

      await page.getByRole('button', { name: 'Compare with another range' }).click();
      await brush(page, 0.6, 0.95);
      const table = page.getByRole('table', { name: /^Change per function/ });
      await table.waitFor();
      const grew = await table.locator('tbody tr').first().locator('th').getAttribute('title');
      assert.equal(grew, 'furnace_new_path', 'the function that grew most comes first');
      const removed = page.getByRole('table', { name: /^Only in A/ });
      assert.ok((await removed.locator('tbody th').allTextContents()).includes('furnace_old_path'));
      assert.match(page.url(), /[?&]a=\d+-\d+&b=\d+-\d+/, 'both ranges are in the URL');

      // Range A of web-1 against the same range of web-2: two pods compared.
      await page.getByRole('button', { name: 'Stop comparing' }).click();
      await page.getByLabel('Pod', { exact: true }).selectOption('web-1');
      await brush(page, 0.05, 0.4, /^Timeline of shop: 7,680 samples/);
      await page.getByLabel('Or compare range A with the pod or workload').selectOption('web-2');
      const pods = page.getByRole('table', { name: /^Change per function/ });
      await page.getByRole('heading', { name: /^Compare A web-1 → B web-2/ }).waitFor();
      const grewInWeb2 = await pods.locator('tbody tr').first().locator('th').getAttribute('title');
      assert.equal(grewInWeb2, 'furnace_serve', 'what only web-2 runs grew most');
    });
  });

  it('says so in words when a range or a namespace has no windows', async (t) => {
    const server = await startContinuousServer(t);
    await seedHour(server.windows, START, PODS);
    await withPage(t, async (page) => {
      const later = `from=${START + 2 * HOUR}&to=${START + 3 * HOUR}`;
      await page.goto(`${server.baseUrl}/continuous?ns=shop&${later}`);
      await page.getByText(/No continuous windows in namespace shop between/).waitFor();
      await page.goto(`${server.baseUrl}/continuous`);
      await page.getByText('Choose a namespace to see its continuous profiling data.').waitFor();
      const options = page.getByLabel('Namespace').locator('option');
      await options.filter({ hasText: 'shop' }).waitFor({ state: 'attached' });
      const namespaces = await options.allTextContents();
      assert.deepEqual(namespaces.slice(1), ['shop'], 'the namespace with windows is offered');
    });
  });
});
