// The record form's edges in local mode (real server, local sidecar and perf; issue 44 items 5 and 13):
// Call graph offered with its cost and recorded as chosen (auto's choice and reason in Settings), a 1 s recording shown as 1 s, Until stopped
// without a countdown, a pattern that matches nothing said once, a stop from History that never leaves
// the recording out of both tables, and a long refusal that leaves Start as it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { withPage } from '../harness/browser.ts';
import { fetchJson } from '../harness/http.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { HOSTNAME } from '../process/server-processes.ts';
import { descriptionOf, flameGraph, screenshot } from './flame-page.ts';

/** The summary's value for a term (`Duration` → `1 s`). */
async function summaryValue(page: Page, term: string): Promise<string> {
  const terms = await page.locator('.summary dt').allTextContents();
  const index = terms.indexOf(term);
  assert.ok(index >= 0, `the summary has ${term}: ${terms.join(', ')}`);
  return (await page.locator('.summary dd').nth(index).textContent()) ?? '';
}

describe('the record form in local mode (real server, sidecar and perf)', () => {
  it('offers Call graph with its cost, and a 1 s dwarf recording says dwarf and lasted 1 s', async (t) => {
    const server = await startLocalServer(t);
    const program = await runHotProgram(t, server.dir, 300, 25);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      const callGraph = page.getByLabel('Call graph');
      assert.equal(await callGraph.inputValue(), 'auto', 'auto by default, as the recorder');
      assert.match(await descriptionOf(callGraph), /dwarf.*8 KB of stack with every sample.*auto checks/);
      const [auto, fp, dwarf] = await callGraph.locator('option').allTextContents();
      assert.match(
        auto ?? '',
        /^Auto: dwarf where the programs lack frame pointers/,
        'each choice says its cost',
      );
      assert.match(fp ?? '', /\(fp\): no cost/);
      assert.match(dwarf ?? '', /\(dwarf\): 8 KB of stack per sample/);
      await callGraph.selectOption('dwarf');
      await page.getByLabel('Duration (seconds)').fill('1');
      await page.getByLabel('Process pattern').fill(program);
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
      await flameGraph(page).waitFor();
      assert.match(await summaryValue(page, 'Settings'), /call graph dwarf/);
      assert.equal(await summaryValue(page, 'Duration'), '1 s');
      await screenshot(page, 'record-dwarf-1s');
    });
  });

  it('says in Settings which call graph auto chose for the recording, and why', async (t) => {
    const server = await startLocalServer(t);
    const program = await runHotProgram(t, server.dir, 300, 25);
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      await page.getByLabel('Duration (seconds)').fill('1');
      await page.getByLabel('Process pattern').fill(program);
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
      await flameGraph(page).waitFor();
      // The test program is built with frame pointers (-O0 -fno-omit-frame-pointer).
      assert.match(
        await summaryValue(page, 'Settings'),
        new RegExp(`call graph fp \\(chosen by auto: ${program} has frame pointers\\)`),
      );
    });
  });

  it('counts no time down while recording until stopped, after a reload too, and says the cap', async (t) => {
    const server = await startLocalServer(t);
    const program = await runHotProgram(t, server.dir, 300, 25);
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      await page.getByLabel('Until stopped').check();
      await page.getByLabel('Process pattern').fill(program);
      await page.getByRole('button', { name: 'Start recording' }).click();
      const times = page.locator('.progress .times');
      await times.getByText(/until you stop it \(at most 10:00\)/).waitFor();
      assert.doesNotMatch((await times.textContent()) ?? '', /remaining/);
      // After a reload the form takes the recording over: still no countdown to the cap.
      await page.reload();
      await times.getByText(/until you stop it \(at most 10:00\)/).waitFor();
      assert.doesNotMatch((await times.textContent()) ?? '', /remaining/);
      await page.getByRole('button', { name: 'Stop recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
    });
  });

  it('says once that a pattern matches nothing, and previews again once the pattern is edited', async (t) => {
    const server = await startLocalServer(t);
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      const pattern = page.getByLabel('Process pattern');
      await pattern.fill('furnace-no-such-process-[x]yz');
      const said = page.getByText(/no process matches/);
      await said.first().waitFor();
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.locator('#process-pattern-error').waitFor();
      assert.equal(await said.count(), 1, (await said.allTextContents()).join(' | '));
      await pattern.fill('furnace-no-such-process-[x]yzw');
      await page.locator('#process-pattern-error').waitFor({ state: 'detached' });
      await page.getByText(/no process matches \/furnace-no-such-process-\[x\]yzw\//).waitFor();
      assert.equal(await said.count(), 1);
    });
  });

  it('keeps a recording stopped from History in one of its two tables at every moment', async (t) => {
    const server = await startLocalServer(t);
    const program = await runHotProgram(t, server.dir, 300, 25);
    const started = await fetchJson<{ id: string }>(`${server.baseUrl}/proxy/local/${HOSTNAME}/recordings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.headers },
      body: JSON.stringify({ processPattern: program, durationSeconds: 120 }),
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const { id } = started.body;
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl('/history'));
      const running = page.getByRole('table', { name: 'Recordings in progress' });
      const done = page.getByRole('table', { name: 'Recordings', exact: true });
      await running.getByRole('button', { name: `Stop ${id}` }).click();
      const deadline = Date.now() + 30_000;
      const missing: number[] = [];
      const clicked = Date.now();
      for (;;) {
        const inRunning = await running.getByRole('link', { name: id, exact: true }).count();
        const inDone = await done.getByRole('link', { name: id, exact: true }).count();
        if (inDone > 0) break;
        if (inRunning === 0) missing.push(Date.now() - clicked);
        assert.ok(Date.now() < deadline, 'the stopped recording reaches the Recordings table');
        await page.waitForTimeout(50);
      }
      assert.deepEqual(missing.slice(0, 5), [], `missing from both tables ${missing.length} times`);
    });
  });

  it('keeps Start as it was beside a long refusal at 390 px (fake sidecar answer: perf’s permission error, which root cannot meet)', async (t) => {
    const server = await startLocalServer(t);
    const message = `perf record failed (exit 255): Access to performance monitoring and observability operations is limited. Consider adjusting /proc/sys/kernel/perf_event_paranoid setting to open access to performance monitoring and observability operations for processes without CAP_PERFMON, CAP_SYS_PTRACE or CAP_SYS_ADMIN Linux capability. More information can be found at 'Perf events and tool security' document: https://www.kernel.org/doc/html/latest/admin-guide/perf-security.html perf_event_paranoid setting is 4: -1: Allow use of (almost) all events by all users`;
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 390, height: 900 });
      await page.route(/\/proxy\/local\/[^/]+\/recordings$/, async (route) => {
        if (route.request().method() !== 'POST') return route.fallback();
        await route.fulfill({
          status: 500,
          contentType: 'application/json',
          body: JSON.stringify({ code: 'ERR_PERF_FAILED', message }),
        });
      });
      await page.goto(server.keyedUrl());
      await pickedPod(page);
      await page.getByLabel('Process pattern').fill('anything');
      const start = page.getByRole('button', { name: 'Start recording' });
      const before = await start.boundingBox();
      await start.click();
      await page
        .locator('.action-error')
        .getByText(/perf_event_paranoid/)
        .first()
        .waitFor();
      const after = await start.boundingBox();
      await screenshot(page, 'long-refusal-390');
      assert.ok(before && after);
      assert.equal(Math.round(after.height), Math.round(before.height), 'Start keeps one line');
      assert.equal(Math.round(after.width), Math.round(before.width), 'Start keeps its width');
      const error = await page.locator('.action-error').boundingBox();
      const viewport = page.viewportSize()?.width ?? 390;
      assert.ok(error && error.x + error.width <= viewport, 'the message stays within the page');
    });
  });
});
