// Edges of reading recordings in local mode (issue 44 items 4 and 13): no way into Continuous where the
// server has none (the page says what enables it), Top functions under a zoom lists the zoomed function,
// Compare and History's Compare hint name both recordings with their notes, and at 390 px words break
// only where a line cannot hold them. Recordings uploaded through the recorder listener, as the sidecar
// uploads them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { compactTreeOf } from '../bench/ui-stand-in.ts';
import { withPage } from '../harness/browser.ts';
import { fetchJson } from '../harness/http.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { flameGraph, screenshot, topFunctionNames } from './flame-page.ts';

const SECRET = 'ui-explore-edges-secret';
const FOLDED = [
  'app;main;serve_requests;parse_headers 40',
  'app;main;serve_requests;write_response 25',
  'app;main;serve_requests 10',
  'app;main;housekeeping 20',
].join('\n');

/** Uploads a finished recording with a note, as the local sidecar would. */
async function upload(recorderUrl: string, id: string, note: string): Promise<void> {
  const registered = await fetchJson<{ uploadToken: string }>(`${recorderUrl}/api/v1/sidecars`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ port: 9 }),
  });
  const headers = { authorization: `Bearer ${registered.body.uploadToken}` };
  const status = {
    id,
    state: 'done',
    stage: 'upload',
    progress: 1,
    params: {
      durationSeconds: 10,
      frequency: 99,
      event: 'cpu-clock',
      callGraph: 'fp',
      symbols: 'proc',
      systemWide: false,
      processPattern: 'app',
      note,
    },
    targets: [{ pid: 4242, comm: 'app' }],
    startedAt: new Date(Date.now() - 12_000).toISOString(),
    endedAt: new Date().toISOString(),
    artifacts: ['flame-tree.bin.gz', 'stacks.folded'],
    samples: 95,
  };
  const put = async (path: string, type: string, body: string | Uint8Array<ArrayBuffer>) => {
    const answer = await fetch(`${recorderUrl}/api/v1/recordings/${id}${path}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': type },
      body,
    });
    assert.ok(answer.ok, `${path}: ${answer.status} ${await answer.text()}`);
  };
  await put('', 'application/json', JSON.stringify(status));
  await put('/artifacts/flame-tree.bin.gz', 'application/gzip', new Uint8Array(compactTreeOf(FOLDED)));
  await put('/artifacts/stacks.folded', 'text/plain', FOLDED);
}

async function withRecordings(t: Parameters<typeof startLocalServer>[0]) {
  const recorderPort = await freePort();
  const server = await startLocalServer(t, {
    localSidecar: false,
    env: { FURNACE_REGISTRATION_SECRET: SECRET, FURNACE_RECORDER_PORT: String(recorderPort) },
  });
  const recorderUrl = `http://127.0.0.1:${recorderPort}`;
  await upload(recorderUrl, 'baseline-1', 'before the header cache');
  await upload(recorderUrl, 'candidate-2', 'with the header cache');
  return server;
}

/**
 * Words of the elements' text that a line could hold whole but that the browser split over two lines
 * (each word's boxes from a Range: more than one top means it was broken). No named functions inside:
 * the browser has no __name helper that tsx would call.
 */
function brokenWords(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((elements) => {
    const broken: string[] = [];
    for (const element of elements) {
      const width = element.getBoundingClientRect().width;
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const boxes = Array.from(range.getClientRects()).filter((box) => box.width > 0);
          const tops = new Set(boxes.map((box) => Math.round(box.top)));
          const wordWidth = boxes.reduce((sum, box) => sum + box.width, 0);
          if (tops.size > 1 && wordWidth < width - 2) broken.push(match[0]);
        }
      }
    }
    return broken;
  });
}

describe('reading recordings in local mode (real server, uploaded recordings)', () => {
  it('has no way into Continuous, whose page says what enables it', async (t) => {
    const server = await withRecordings(t);
    await withPage(t, async (page) => {
      await page.goto(server.keyedUrl('/continuous'));
      const notice = page.getByRole('status').filter({ hasText: /Continuous profiling is off/ });
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? '', /agent mode \(agent\.enabled/);
      assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /no route/);
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Record', 'History']);
      await screenshot(page, 'continuous-off');

      await nav.getByRole('link', { name: 'History' }).click();
      await page.getByRole('link', { name: 'baseline-1', exact: true }).click();
      await flameGraph(page).waitFor();
      // Whether the server has continuous profiling was asked once, on the first page: known by now.
      assert.equal(await page.getByRole('link', { name: /Continuous data/ }).count(), 0);
    });
  });

  it('lists the zoomed function in Top functions under a zoom', async (t) => {
    const server = await withRecordings(t);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(server.keyedUrl('/recordings/baseline-1'));
      await flameGraph(page).waitFor();
      assert.ok((await topFunctionNames(page)).includes('serve_requests'));
      // Zoom into serve_requests with the keyboard: up to it, Enter.
      await flameGraph(page).focus();
      const announced = page.locator('.flame [aria-live]').first();
      for (let step = 0; step < 6 && !/^serve_requests, /.test((await announced.textContent()) ?? ''); step++)
        await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Enter');
      await page.waitForURL(/zoom=/);
      const table = page.getByRole('table', { name: 'Top functions in serve_requests' });
      await table.waitFor();
      await table.locator('tbody th', { hasText: 'serve_requests' }).waitFor();
      const rows = await table.locator('tbody tr').allTextContents();
      const zoomed = rows.find((row) => row.startsWith('serve_requests'));
      assert.ok(zoomed, rows.join(' | '));
      assert.match(zoomed, /10.*75/, 'self 10 and total 75 samples');
    });
  });

  it('names both recordings with their notes in Compare and in History, and breaks no word at 390 px', async (t) => {
    const server = await withRecordings(t);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 390, height: 900 });
      await page.goto(server.keyedUrl('/compare/baseline-1/candidate-2'));
      await flameGraph(page).waitFor();
      const who = page.locator('.compare-who');
      assert.match((await who.textContent()) ?? '', /Before.*baseline-1.*before the header cache/);
      assert.match((await who.textContent()) ?? '', /After.*candidate-2.*with the header cache/);
      await screenshot(page, 'compare-notes-390');
      assert.deepEqual(await brokenWords(page, 'main h1, main .hint, .compare-who dd'), []);

      await page.goto(server.keyedUrl('/history'));
      const table = page.getByRole('table', { name: 'Recordings', exact: true });
      for (const id of ['baseline-1', 'candidate-2'])
        await table
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: id, exact: true }) })
          .getByRole('checkbox')
          .check();
      assert.equal(
        await page.locator('#compare-hint').textContent(),
        'baseline-1 (“before the header cache”) → candidate-2 (“with the header cache”)',
      );

      await page.goto(server.keyedUrl('/recordings/baseline-1'));
      await flameGraph(page).waitFor();
      await screenshot(page, 'recording-390');
      assert.deepEqual(await brokenWords(page, 'main h1, .summary dd'), []);
    });
  });
});
