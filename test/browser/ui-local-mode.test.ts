// The web UI against the real server in local mode, its real local sidecar and real perf, recording
// a compiled program whose two hot functions run at about 1:3 (furnace_light : furnace_heavy).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { withPage } from '../harness/browser.ts';
import { eventually } from '../harness/eventually.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { runHotProgram, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { HOSTNAME, recordThroughProxy } from '../process/server-processes.ts';
import {
  descriptionOf,
  flameGraph,
  foldedShare,
  highlightedPoint,
  highlightedShare,
  matchedPercent,
  screenshot,
} from './flame-page.ts';

async function recordInUi(page: Page, program: string): Promise<string> {
  await page.getByLabel('Duration (seconds)').fill('30');
  await page.getByLabel('Frequency (Hz)').fill('199');
  await page.getByLabel('Process pattern').fill(program);
  await page.getByRole('button', { name: 'Start recording' }).click();
  const bar = page.getByRole('progressbar');
  await bar.waitFor();
  await page.getByText(/remaining 0:2\d/).waitFor();
  await page.waitForTimeout(4000);
  assert.ok(Number(await bar.getAttribute('aria-valuenow')) > 0, 'the bar moves while sampling');
  await screenshot(page, 'progress');
  await page.getByRole('button', { name: 'Stop recording' }).click();
  await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
  await flameGraph(page).waitFor();
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
}

async function search(page: Page, text: string): Promise<number> {
  await page.getByLabel('Search').fill(text);
  await page.waitForFunction(() =>
    /^Matched: /.test(document.getElementById('search-status')?.textContent ?? ''),
  );
  return (await matchedPercent(page)) ?? NaN;
}

describe('web UI in local mode (real server, sidecar and perf)', () => {
  it('shows the server’s message next to the field that caused it: an out-of-range duration, a pattern that matches nothing', async (t) => {
    const { keyedUrl } = await startLocalServer(t);
    await withPage(t, async (page) => {
      await page.goto(keyedUrl());
      const duration = page.getByLabel('Duration (seconds)');
      assert.match(await descriptionOf(duration), /1 to 600 seconds/, 'the field shows its limit');
      await duration.fill('100000');
      await page.getByLabel('Process pattern').fill('anything');
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.locator('#duration-error').waitFor();
      assert.equal(await duration.getAttribute('aria-invalid'), 'true');
      assert.match(
        await descriptionOf(duration),
        /Duration \(seconds\) 100000 is out of range: must be between 1 and 600/,
      );
      await screenshot(page, 'duration-error');

      // A pattern that matches nothing: the sidecar's message goes under Process pattern.
      await duration.fill('5');
      const pattern = page.getByLabel('Process pattern');
      await pattern.fill('furnace-no-such-process-[x]yz');
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.locator('#process-pattern-error').waitFor();
      assert.match(await descriptionOf(pattern), /furnace-no-such-process/);
      assert.equal(await page.locator('#duration-error').count(), 0, 'the old message is gone');
    });
  });

  it('says what to do when no pod is registered yet', async (t) => {
    const { keyedUrl } = await startLocalServer(t, { localSidecar: false });
    await withPage(t, async (page) => {
      await page.goto(keyedUrl());
      await page.getByRole('heading', { name: 'No pods to profile yet' }).waitFor();
      assert.match(
        (await page.locator('main').textContent()) ?? '',
        /kubectl label namespace NAMESPACE furnace=enabled/,
      );
      await screenshot(page, 'no-pods');
    });
  });

  it('records, explores, downloads, lists, reopens, compares and deletes', async (t) => {
    const { baseUrl, dir, keyedUrl, uiUrl, headers } = await startLocalServer(t);
    const program = await runHotProgram(t, dir, 300, SAMPLED_BUSY_PERCENT);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(keyedUrl());
      // The picker fills in once the first list of pods has arrived.
      const pod = await pickedPod(page);
      assert.equal(pod, HOSTNAME);
      assert.equal(await page.getByLabel('Namespace').inputValue(), 'local');
      await screenshot(page, 'record');
      const artifactsRead: string[] = [];
      page.on('request', (request) => {
        // The record page's read of the tree waits at the sidecar (`?wait=true`).
        const artifact = /\/artifacts\/([^/?]+)(\?[^/]*)?$/.exec(request.url());
        if (artifact?.[1]) artifactsRead.push(artifact[1]);
      });
      const id = await recordInUi(page, program);
      // The page draws from the compact tree the sidecar wrote, not from the 100× larger folded text.
      assert.deepEqual(artifactsRead, ['flame-tree.bin.gz']);
      const folded = await (
        await fetch(`${baseUrl}/api/v1/recordings/${id}/artifacts/stacks.folded`, { headers })
      ).text();
      const alphaTruth = foldedShare(folded, /furnace_light/) * 100;
      const betaTruth = foldedShare(folded, /furnace_heavy/) * 100;
      t.diagnostic(`truth: alpha ${alphaTruth.toFixed(1)}%, beta ${betaTruth.toFixed(1)}%`);
      assert.ok(betaTruth > alphaTruth * 1.5, 'the program spends about three times as long in beta');
      await screenshot(page, 'flame-graph');

      // Both functions are drawn, each as wide as its share; the search says how much it matched.
      const alpha = await search(page, 'furnace_light');
      assert.ok(Math.abs(alpha - alphaTruth) < 3, `Matched ${alpha}% vs ${alphaTruth.toFixed(1)}%`);
      assert.ok(Math.abs((await highlightedShare(page)) * 100 - alphaTruth) < 4, 'alpha drawn at its width');
      await screenshot(page, 'search');
      const beta = await search(page, 'furnace_heavy');
      assert.ok(Math.abs(beta - betaTruth) < 3, `Matched ${beta}% vs ${betaTruth.toFixed(1)}%`);
      const point = await highlightedPoint(page);
      assert.ok(point, 'beta is drawn');
      await flameGraph(page).hover({ position: point });
      const tooltip = page.getByRole('tooltip');
      assert.match((await tooltip.textContent()) ?? '', /furnace_heavy.*samples \([\d.]+%\)/);

      // Zoom into beta: it fills the width; reset brings the whole graph back.
      await flameGraph(page).click({ position: point });
      await page.waitForURL(/zoom=/);
      assert.equal(
        await page.getByRole('navigation', { name: 'Zoom path' }).locator('[aria-current]').textContent(),
        'furnace_heavy',
      );
      assert.ok((await highlightedShare(page)) > 0.97, 'the zoomed frame spans the graph');
      await screenshot(page, 'zoomed');
      const zoomedUrl = page.url();
      await page.getByRole('button', { name: 'Reset zoom' }).click();
      await page.waitForURL((url) => !url.search.includes('zoom='));
      assert.ok(Math.abs((await highlightedShare(page)) * 100 - betaTruth) < 4);

      // The keyboard alone: focus the graph, arrows up (the widest child each time) until the heavy
      // function is announced (how many frames lie below it depends on the C runtime), Enter, Escape.
      await flameGraph(page).focus();
      const announced = page.locator('.flame [aria-live]').first();
      for (let step = 0; step < 8 && !/^furnace_heavy, /.test((await announced.textContent()) ?? ''); step++)
        await page.keyboard.press('ArrowUp');
      assert.match((await announced.textContent()) ?? '', /^furnace_heavy, /);
      await page.keyboard.press('Enter');
      await page.waitForURL(/zoom=/);
      assert.equal(page.url(), zoomedUrl, 'Enter zooms like a click');
      await page.keyboard.press('Escape');
      await page.waitForURL((url) => !url.search.includes('zoom='));

      // Top functions follow the search: only the heavy function while it is searched for.
      await page.getByRole('table', { name: 'Top functions matching /furnace_heavy/' }).waitFor();
      await page.locator('.top-functions tbody th', { hasText: 'furnace_heavy' }).waitFor();
      assert.deepEqual(await page.locator('.top-functions tbody th').allTextContents(), ['furnace_heavy']);
      // Without a search, by self samples: beta first, then alpha.
      await page.getByLabel('Search').fill('');
      await page.getByRole('table', { name: 'Top functions', exact: true }).waitFor();
      await page.locator('.top-functions tbody th', { hasText: 'furnace_light' }).waitFor();
      const names = await page.locator('.top-functions tbody th').allTextContents();
      assert.deepEqual(names.slice(0, 2), ['furnace_heavy', 'furnace_light']);

      // The SVG download is the recording's flame graph.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'SVG', exact: true }).click(),
      ]);
      const svg = await readFile((await download.path()) ?? '', 'utf8');
      assert.match(svg, /^<\?xml[^]*<svg /);
      assert.match(svg, /furnace_light/);
      assert.match(svg, /furnace_heavy/);

      // The URL reopens the same view: zoom and search.
      await page.goto(zoomedUrl);
      await flameGraph(page).waitFor();
      assert.equal(await page.getByLabel('Search').inputValue(), 'furnace_heavy');
      assert.ok(Math.abs(((await matchedPercent(page)) ?? NaN) - beta) < 0.05);
      assert.ok((await highlightedShare(page)) > 0.97, 'reopened zoomed');

      // speedscope, served by this server, opens the recording's speedscope.json.
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        page.getByRole('button', { name: 'Open in speedscope' }).click(),
      ]);
      await popup.waitForFunction((title) => document.title === `${title} - speedscope`, id);
      assert.match(popup.url(), new RegExp(`^${uiUrl}/speedscope/#profileURL=`));
      await screenshot(popup, 'speedscope');
      await popup.close();

      // A second recording, then the history and a comparison of the two.
      const second = await recordThroughProxy(baseUrl, HOSTNAME, program, headers);
      await page.getByRole('link', { name: 'History' }).click();
      const table = page.getByRole('table', { name: 'Recordings' });
      await table.getByRole('link', { name: second.id, exact: true }).waitFor();
      assert.ok(await table.getByRole('link', { name: id, exact: true }).isVisible());
      // Who started each: the caller the server saw, `anonymous` without auth (local mode).
      const columns = await table.locator('thead th').allTextContents();
      const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
      const cells = await row.locator(':scope > td, :scope > th').allTextContents();
      assert.equal(cells[columns.indexOf('Started by')], 'anonymous', columns.join(', '));
      await page.getByLabel('Started by').selectOption('anonymous');
      assert.ok(
        await table.getByRole('link', { name: second.id, exact: true }).isVisible(),
        'the filter keeps both',
      );
      await screenshot(page, 'history');
      await page.getByRole('checkbox', { name: `Pick ${id} for comparison` }).check();
      await page.getByRole('checkbox', { name: `Pick ${second.id} for comparison` }).check();
      await page.getByRole('button', { name: 'Compare' }).click();
      await page.waitForURL(/\/compare\//);
      await flameGraph(page).waitFor();
      assert.match((await flameGraph(page).getAttribute('aria-label')) ?? '', /^Flame graph of the change/);
      assert.match((await page.getByLabel('Colour legend').textContent()) ?? '', /larger share/);
      await screenshot(page, 'compare');

      // Delete the first recording.
      await page.goBack();
      await page.getByRole('button', { name: `Delete ${id}` }).click();
      await page.getByRole('button', { name: 'Confirm delete' }).click();
      await table.getByRole('link', { name: id, exact: true }).waitFor({ state: 'detached' });
      // Nor does any other link name it: the later recording's regression flag compared with it, and is
      // asked again once it is gone.
      await eventually(
        async () =>
          (await table.getByRole('link', { name: id, exact: true }).count()) === 0 ? true : undefined,
        10_000,
        `no link in History naming the deleted ${id}`,
      );
      assert.equal((await fetch(`${baseUrl}/api/v1/recordings/${id}`, { headers })).status, 404);
      assert.ok(await table.getByRole('link', { name: second.id, exact: true }).isVisible());
    });
  });
});
