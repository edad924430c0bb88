// Pinning a baseline from the recording page, on a phone's 390 px: three versions of a program (real perf
// recordings of the four-function program: unchanged twice, then furnace_beta three times as expensive)
// uploaded through the recorder listener as the local sidecar uploads them (each of the process `bench-app`,
// by PID), to the real server in local mode, shown by real Chromium. Local mode has no workload: the first is
// pinned for the command it recorded; it stays pinned after a reload; the latest recording's comparison
// names it; unpinned, it is gone from that comparison. ui-local-mode-baseline.test.ts records for real.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { compactTreeOf, uploadRecording } from '../bench/ui-stand-in.ts';
import { withPage } from '../harness/browser.ts';
import { fetchJson } from '../harness/http.ts';
import { startLocalServer, type LocalServer } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { screenshot } from './flame-page.ts';

const SECRET = 'ui-baseline-pin-secret';
/** What every upload recorded, as the server keys its baseline and as the page says it. */
const PROGRAM = { key: 'command/bench-app', label: 'the command bench-app' };

const folded = (name: string): string =>
  readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression', `${name}.folded`), 'utf8');

async function withVersions(
  t: Parameters<typeof startLocalServer>[0],
  targets?: { pid: number; comm: string }[],
): Promise<LocalServer> {
  const recorderPort = await freePort();
  const server = await startLocalServer(t, {
    localSidecar: false,
    env: { FURNACE_REGISTRATION_SECRET: SECRET, FURNACE_RECORDER_PORT: String(recorderPort) },
  });
  const recorderUrl = `http://127.0.0.1:${recorderPort}`;
  for (const [id, name] of [
    ['v1', 'base-0'],
    ['v2', 'base-1'],
    ['v3', 'beta3'],
  ] as const) {
    const stacks = folded(name);
    await uploadRecording(recorderUrl, SECRET, {
      ...{ id, folded: stacks, tree: compactTreeOf(stacks) },
      ...(targets ? { targets } : {}),
    });
    // Each later than the one before: the recording before is the latest that started earlier.
    await sleep(20);
  }
  return server;
}

async function baselineOf(server: LocalServer, id: string): Promise<string | undefined> {
  const answer = await fetchJson<CatalogEntry>(`${server.baseUrl}/api/v1/recordings/${id}`, {
    headers: server.headers,
  });
  assert.equal(answer.status, 200);
  return answer.body.baselineOf;
}

async function assertFits(page: Page, width: number, what: string): Promise<void> {
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(pageWidth <= width, `${what}: no sideways scrolling at ${width} px (${pageWidth})`);
}

const pinned = (page: Page) =>
  page.getByRole('group', { name: 'Baseline' }).getByText(`Pinned as the baseline of ${PROGRAM.label}`);

describe('a pinned baseline (real server, real perf recordings uploaded, 390 px)', () => {
  it('pins a recording from its page, keeps it across a reload, names it in a later comparison, and unpins it', async (t) => {
    const server = await withVersions(t);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 390, height: 900 });
      await page.goto(server.keyedUrl('/recordings/v1'));
      const form = page.getByRole('form', { name: 'Baseline' });
      await form.waitFor();
      assert.equal(await form.getByLabel('Workload kind').count(), 0, 'no workload in local mode');
      assert.equal(await form.getByLabel('Workload name').count(), 0, 'no workload in local mode');
      await assertFits(page, 390, 'the pin form');
      await screenshot(page, 'baseline-pin-390');
      await form.getByRole('button', { name: `Pin as baseline for ${PROGRAM.label}` }).click();
      await pinned(page).waitFor();
      assert.equal(await baselineOf(server, 'v1'), PROGRAM.key, 'the server keeps the pin');

      await page.reload();
      await pinned(page).waitFor();
      assert.ok(
        await page.getByRole('button', { name: 'Unpin' }).isVisible(),
        'Unpin offered after a reload',
      );
      assert.equal(await page.getByRole('form', { name: 'Baseline' }).count(), 0, 'no second pin form');
      await assertFits(page, 390, 'a pinned recording');

      await page.goto(server.keyedUrl('/history'));
      const rowOf = (id: string) =>
        page.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
      await rowOf('v1').getByText(`Baseline of ${PROGRAM.label}`).waitFor();
      assert.equal(
        await rowOf('v2')
          .getByText(/^Baseline of/)
          .count(),
        0,
        'only the pinned row says so',
      );

      await page.goto(server.keyedUrl('/recordings/v3'));
      const againstBaseline = page.getByRole('link', {
        name: 'Regressed against the pinned baseline v1: open the comparison',
      });
      await againstBaseline.waitFor();
      assert.match(
        (await againstBaseline.textContent()) ?? '',
        /^Regressed against the pinned baseline \(v1\): furnace_beta \d+\.\d% → \d+\.\d% \(×\d\.\d\)/,
      );
      const againstPrevious = page.getByRole('link', { name: /against the recording before v2/ });
      assert.ok(await againstPrevious.isVisible(), 'still compared with the recording before');
      await assertFits(page, 390, 'the comparisons');
      await screenshot(page, 'baseline-compared-390');
      await againstBaseline.click();
      await page.waitForURL(/\/compare\/v1\/v3/);
      await page.getByRole('heading', { name: 'Compare v1 → v3' }).waitFor();

      await page.goto(server.keyedUrl('/recordings/v1'));
      await pinned(page).waitFor();
      await page.getByRole('button', { name: 'Unpin' }).click();
      await page.getByRole('button', { name: 'Pin as baseline' }).waitFor();
      assert.equal(await baselineOf(server, 'v1'), undefined, 'the server dropped the pin');
      await page.reload();
      await page.getByRole('button', { name: 'Pin as baseline' }).waitFor();
      assert.equal(await pinned(page).count(), 0, 'not pinned after a reload');

      await page.goto(server.keyedUrl('/recordings/v3'));
      await page.getByRole('link', { name: /against the recording before v2/ }).waitFor();
      assert.equal(
        await page.getByRole('link', { name: /against the pinned baseline/ }).count(),
        0,
        'no comparison with a baseline once unpinned',
      );
    });
  });

  it('says why the server refuses a pin, beside the form: a recording that names no process', async (t) => {
    const server = await withVersions(t, []);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 390, height: 900 });
      await page.goto(server.keyedUrl('/recordings/v2'));
      const form = page.getByRole('form', { name: 'Baseline' });
      await form.getByRole('button', { name: 'Pin as baseline for what it recorded' }).click();
      const alert = form.getByRole('alert');
      await alert.waitFor();
      assert.match(
        (await alert.textContent()) ?? '',
        /recording v2 names no process pattern, command or system-wide scope to pin a baseline for/,
      );
      assert.equal(await baselineOf(server, 'v2'), undefined, 'nothing pinned');
      await assertFits(page, 390, 'the refusal');
    });
  });
});
