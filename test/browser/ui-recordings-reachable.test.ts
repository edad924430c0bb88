// The web UI in local mode (real server, sidecar and perf): a running recording stays reachable (Record
// page after a reload, a refused Start's link, History's in-progress list, its own page until the graph),
// the form shows the processes a pattern matches before Start, History tells recordings apart, and the
// Record page leaves "upload" when the catalog refuses a file. Issue 21 items 1, 2, 8 and 11.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { withPage } from '../harness/browser.ts';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { runHotProgram, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { startLocalServer, type LocalServer } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { HOSTNAME } from '../process/server-processes.ts';
import { flameGraph, screenshot } from './flame-page.ts';

const WIDTHS = [390, 768] as const;

function startThroughProxy(server: LocalServer, body: object) {
  return fetchJson<{ id: string; state: string }>(`${server.baseUrl}/proxy/local/${HOSTNAME}/recordings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...server.headers },
    body: JSON.stringify(body),
  });
}

async function screenshots(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize(size);
}

describe('recordings a user can always reach (real server, sidecar and perf)', () => {
  it('shows the processes a pattern matches before Start, with their PID and CPU share', async (t) => {
    const server = await startLocalServer(t);
    const program = await runHotProgram(t, server.dir, 120);
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      await page.getByText('Type a process pattern or a PID').waitFor();
      await page.getByLabel('Process pattern').fill(program);
      const table = page.getByRole('table', { name: 'Processes it matches now' });
      const row = table.getByRole('row').filter({ hasText: program.slice(0, 15) });
      await row.waitFor();
      const cells = await row.locator('th, td').allTextContents();
      assert.match(cells[1] ?? '', /^\d+$/, `a PID: ${cells.join(' | ')}`);
      assert.ok(Number(cells[2]) > 5, `a busy loop uses the CPU: ${cells.join(' | ')}`);
      assert.equal(await table.getByRole('row').count(), 2, 'the heading and that one process');
      await screenshots(page, 'process-picker');
      await page.getByLabel('Process pattern').fill('furnace-no-such-process-[x]yz');
      await page
        .getByText(/no process matches \/furnace-no-such-process-\[x\]yz\/ \(Process pattern\)/)
        .waitFor();
      await page.getByLabel('Process pattern').fill('(');
      await page.getByText(/Process pattern "\(" is invalid/).waitFor();
    });
  });

  it('takes over a running recording: a refused Start links it, a reload shows it, History stops it, its page then shows the graph', async (t) => {
    const server = await startLocalServer(t);
    const program = await runHotProgram(t, server.dir, 300, SAMPLED_BUSY_PERCENT);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      await page.getByLabel('Process pattern').fill(program);
      // Started elsewhere (a script, another tab) after this page loaded.
      const started = await startThroughProxy(server, {
        processPattern: program,
        durationSeconds: 120,
        note: 'before the cache fix',
      });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const { id } = started.body;
      await page.getByRole('button', { name: 'Start recording' }).click();
      const alert = page.locator('.action-error');
      await alert.getByText(`recording ${id} is still recording`).waitFor();
      const link = alert.getByRole('link', { name: `Open recording ${id}` });
      assert.equal(await link.getAttribute('href'), `/recordings/${id}`);
      await page.getByRole('heading', { name: `Recording ${id}` }).waitFor();
      await page.getByRole('button', { name: 'Stop recording' }).waitFor();

      await page.reload();
      await page.getByRole('progressbar').waitFor();
      await page.getByRole('heading', { name: `Recording ${id}` }).waitFor();
      assert.ok(await page.getByRole('button', { name: 'Stop recording' }).isVisible());
      await screenshots(page, 'record-reattached');

      await page.getByRole('link', { name: 'History' }).click();
      const running = page.getByRole('table', { name: 'Recordings in progress' });
      const row = running.getByRole('row').filter({ has: page.getByRole('link', { name: id }) });
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /recording/);
      assert.ok(await row.getByRole('button', { name: `Stop ${id}` }).isVisible());
      await screenshots(page, 'history-in-progress');

      // Its page, before it is in the catalog: progress and Stop; then the graph.
      await row.getByRole('link', { name: id }).click();
      await page.getByText('not in the catalog yet').waitFor();
      await page.getByRole('progressbar').waitFor();
      await page.getByRole('button', { name: 'Stop recording' }).click();
      await flameGraph(page).waitFor({ timeout: 60_000 });
      await page.getByText('before the cache fix').waitFor();
      assert.match((await page.locator('.summary').textContent()) ?? '', new RegExp(`pattern /${program}/`));
    });
  });

  it('tells recordings apart in History: note, pattern, processes, outcome; filters by process; a failed one cannot be compared', async (t) => {
    const server = await startLocalServer(t);
    const program = await runHotProgram(t, server.dir, 300, SAMPLED_BUSY_PERCENT);
    const done = await startAndFinish(server, {
      processPattern: program,
      durationSeconds: 2,
      note: 'baseline run',
    });
    // pprof asked where nothing listens: the recording fails, with the reason.
    const failed = await startAndFinish(server, {
      processPattern: program,
      durationSeconds: 2,
      profiler: 'pprof',
      pprof: { port: await freePort() },
    });
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(server.keyedUrl('/history'));
      const table = page.getByRole('table', { name: 'Recordings' });
      const rowOf = (id: string) =>
        table.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
      const doneRow = rowOf(done);
      await doneRow.waitFor();
      const text = (await doneRow.textContent()) ?? '';
      assert.match(text, /baseline run/);
      assert.match(text, new RegExp(`pattern /${program}/`));
      assert.match(text, new RegExp(`${program.slice(0, 15)} \\(\\d+\\)`));
      assert.match(text, /perf/);
      assert.ok(await doneRow.getByRole('checkbox', { name: `Pick ${done} for comparison` }).isEnabled());

      const failedRow = rowOf(failed);
      assert.match((await failedRow.textContent()) ?? '', /failed.*127\.0\.0\.1/);
      const box = failedRow.getByRole('checkbox');
      assert.equal(await box.getAttribute('aria-label'), `${failed} failed: nothing to compare`);
      assert.ok(await box.isDisabled(), 'a failed recording cannot be ticked');

      await page.getByLabel('Filter by process').fill(program.slice(0, 15));
      assert.ok(await doneRow.isVisible(), 'the process filter keeps it');
      await page.getByLabel('Filter by process').fill('no-such-process-name');
      await doneRow.waitFor({ state: 'detached' });
      await page.getByLabel('Filter by process').fill('');
      await doneRow.waitFor();
      await screenshots(page, 'history');
    });
  });

  it('leaves "upload" when the catalog refuses a file: the recording opens with the warning that says why', async (t) => {
    const config = `${await workDir(t, 'ui-upload-refusal')}/furnace.yaml`;
    // Small enough that perf.data is over it even when a loaded machine gives the program few samples.
    await writeFile(config, 'limits:\n  maxArtifactBytes: 16384\n');
    const server = await startLocalServer(t, { env: { FURNACE_CONFIG: config } });
    const program = await runHotProgram(t, server.dir, 120, SAMPLED_BUSY_PERCENT);
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      await page.getByLabel('Duration (seconds)').fill('5');
      await page.getByLabel('Frequency (Hz)').fill('499');
      await page.getByLabel('Process pattern').fill(program);
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
      const warnings = page.getByRole('list', { name: 'Warnings' });
      await warnings
        .getByText(/^perf\.(data|script) was not kept: .* over the 16 KB limit/)
        .first()
        .waitFor();
      await flameGraph(page).waitFor();
      await screenshots(page, 'upload-refused');
    });
  });
});

/** Starts a recording through the proxy and waits until the catalog has it finished: its id. */
async function startAndFinish(server: LocalServer, body: object): Promise<string> {
  const started = await startThroughProxy(server, body);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  const { id } = started.body;
  await eventually(
    async () => {
      const entry = await fetchJson<CatalogEntry>(`${server.baseUrl}/api/v1/recordings/${id}`, {
        headers: server.headers,
      });
      return entry.status === 200 && (entry.body.state === 'done' || entry.body.state === 'failed')
        ? true
        : undefined;
    },
    60_000,
    `recording ${id} in the catalog`,
  );
  // The sidecar says done after its upload: wait for that too, so the next start is not refused.
  await eventually(
    async () => {
      const status = await fetchJson<{ state: string }>(
        `${server.baseUrl}/proxy/local/${HOSTNAME}/recordings/${id}`,
        { headers: server.headers },
      );
      return status.body.state === 'done' || status.body.state === 'failed' || undefined;
    },
    60_000,
    `recording ${id} to end on the sidecar`,
  );
  return id;
}
