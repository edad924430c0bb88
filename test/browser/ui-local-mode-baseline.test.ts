// A baseline in local mode, on a phone's 390 px: the real server, its real local sidecar and real perf
// recording two compiled programs of this machine. Local mode has no workload, so the recording page offers
// to pin a recording for what it recorded (its process pattern), and later recordings of that program, made
// from the Record page and through the proxy, are compared with it; another program's are not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { withPage } from '../harness/browser.ts';
import { fetchJson } from '../harness/http.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { HOSTNAME, recordThroughProxy } from '../process/server-processes.ts';
import { flameGraph, screenshot } from './flame-page.ts';

const WIDTH = 390;

async function assertFits(page: Page, what: string): Promise<void> {
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(pageWidth <= WIDTH, `${what}: no sideways scrolling at ${WIDTH} px (${pageWidth})`);
}

/** Records `pattern` for 3 s from the Record page; the page opens the recording when it is done. */
async function recordFromPage(page: Page, openRecord: string, pattern: string): Promise<string> {
  await page.goto(openRecord);
  await pickedPod(page);
  await page.getByLabel('Duration (seconds)').fill('3');
  await page.getByLabel('Frequency (Hz)').fill('199');
  await page.getByLabel('Process pattern').fill(pattern);
  await assertFits(page, 'the Record page');
  await page.getByRole('button', { name: 'Start recording' }).click();
  await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
  await flameGraph(page).waitFor();
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
}

describe('a baseline in local mode (real server, sidecar and perf, 390 px)', () => {
  it('pins a recording for its process pattern, and compares the program’s later recordings with it', async (t) => {
    const server = await startLocalServer(t);
    const { baseUrl, headers } = server;
    // Half busy: enough samples in 3 s, and a core left for the rest of the machine.
    const program = await runHotProgram(t, server.dir, 300, 50);
    const other = await runHotProgram(t, server.dir, 300, 50);
    const pinnedFor = `processes matching /${program}/`;

    const first = await recordThroughProxy(baseUrl, HOSTNAME, program, headers);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: WIDTH, height: 900 });
      await page.goto(server.keyedUrl(`/recordings/${first.id}`));
      const form = page.getByRole('form', { name: 'Baseline' });
      const pin = form.getByRole('button', { name: `Pin as baseline for ${pinnedFor}` });
      await pin.waitFor();
      assert.equal(await form.getByLabel('Workload kind').count(), 0, 'no workload kind to choose');
      assert.equal(
        await form.getByLabel('Workload name').count(),
        0,
        'nor a Deployment named after the host',
      );
      assert.doesNotMatch((await form.textContent()) ?? '', /deployment|Deployment/);
      await assertFits(page, 'the pin form');
      await screenshot(page, 'local-baseline-pin-390');
      await pin.click();
      const pinned = page
        .getByRole('group', { name: 'Baseline' })
        .getByText(`Pinned as the baseline of ${pinnedFor}`);
      await pinned.waitFor();
      const entry = await fetchJson<CatalogEntry>(`${baseUrl}/api/v1/recordings/${first.id}`, { headers });
      assert.equal(entry.body.baselineOf, `pattern/${program}`, 'the server keeps the pin for the program');
      await page.reload();
      await pinned.waitFor();
      await assertFits(page, 'a pinned recording');

      // Records again from the Record page: the recording before it is the pinned one.
      const second = await recordFromPage(page, server.keyedUrl('/'), program);
      await page
        .getByRole('link', { name: new RegExp(`against the recording before ${first.id}: open`) })
        .waitFor();

      // A third, through the proxy: compared with the one before it and with the pinned baseline.
      const third = await recordThroughProxy(baseUrl, HOSTNAME, program, headers);
      await page.goto(server.keyedUrl(`/recordings/${third.id}`));
      const againstBaseline = page.getByRole('link', {
        name: new RegExp(`against the pinned baseline ${first.id}: open the comparison$`),
      });
      await againstBaseline.waitFor();
      assert.match(
        (await againstBaseline.textContent()) ?? '',
        new RegExp(
          `^(No significant change|Regressed|Improved|Not comparable) against the pinned baseline \\(${first.id}\\)`,
        ),
      );
      assert.ok(
        await page
          .getByRole('link', { name: new RegExp(`against the recording before ${second}: open`) })
          .isVisible(),
        'still compared with the recording before',
      );
      await assertFits(page, 'the comparisons');
      await screenshot(page, 'local-baseline-compared-390');
      await againstBaseline.click();
      await page.waitForURL(new RegExp(`/compare/${first.id}/${third.id}`));
      await flameGraph(page).waitFor();
      await assertFits(page, 'the comparison with the baseline');

      // Another program is neither compared with the baseline nor with the first program's recordings.
      const elsewhere = await recordThroughProxy(baseUrl, HOSTNAME, other, headers);
      await page.goto(server.keyedUrl(`/recordings/${elsewhere.id}`));
      await page.getByRole('button', { name: `Pin as baseline for processes matching /${other}/` }).waitFor();
      const regression = await fetchJson<{ comparisons: unknown[] }>(
        `${baseUrl}/api/v1/recordings/${elsewhere.id}/regression`,
        { headers },
      );
      assert.deepEqual(regression.body.comparisons, [], 'nothing of its own program before it');

      // History says which recording is the program's baseline, in words.
      await page.goto(server.keyedUrl('/history'));
      const row = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: first.id, exact: true }) });
      await row.getByText(`Baseline of ${pinnedFor}`).waitFor();
      await assertFits(page, 'History');
    });
  });
});
