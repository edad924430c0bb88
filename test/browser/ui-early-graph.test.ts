// The flame graph before the upload ends, in the web UI against the real server in local mode, its real
// local sidecar and real perf: from the click on Stop the record page holds a read of the compact tree open
// at the sidecar (through the proxy), which answers it once the tree is written, and draws it without a
// status answer having listed it; when the recording is done, its page opens on that same tree (no
// second read), and the catalog has every file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page, Route } from 'playwright';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { flameGraph, screenshot } from './flame-page.ts';

const STATUS_URL = /\/proxy\/.+\/recordings\/[^/]+(\/stop)?$/;

/**
 * The page's request, sent on by Playwright's own HTTP client, which runs in Node: Node does not resolve
 * the key's `*.localhost` host (core/contract/run-key.ts), so it goes to the same port on 127.0.0.1 with
 * that host in its Host header, as the browser sent it.
 */
async function fetchOnLoopback(route: Route) {
  const request = route.request();
  const url = new URL(request.url());
  const host = url.host;
  url.hostname = '127.0.0.1';
  return route.fetch({ url: url.toString(), headers: { ...(await request.allHeaders()), host } });
}

/**
 * A fake at the page's boundary: while `held`, a status answer that says done is passed on as still
 * uploading, so the page stays on the record page for as long as the test looks at it there, and no
 * status answer lists the tree (the page learns of it from its waiting read alone).
 */
async function holdDone(page: Page): Promise<{ release(): void }> {
  let held = true;
  await page.route(STATUS_URL, async (route: Route) => {
    const response = await fetchOnLoopback(route);
    const body = (await response.json()) as { state?: string; artifacts?: string[] };
    if (!held) return route.fulfill({ response, json: body });
    const artifacts = body.artifacts?.filter((name) => name !== 'flame-tree.bin.gz');
    const state = body.state === 'done' ? { state: 'processing', stage: 'upload' } : {};
    await route.fulfill({ response, json: { ...body, ...state, artifacts } });
  });
  return { release: () => (held = false) };
}

describe('web UI: the graph before the upload ends (real server, sidecar and perf)', () => {
  it('draws the sidecar’s tree on the record page, no status having listed it, then opens the recording on it', async (t) => {
    const { baseUrl, dir, keyedUrl, headers } = await startLocalServer(t);
    const program = await runHotProgram(t, dir, 300);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(keyedUrl());
      await pickedPod(page);
      const treesRead: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.endsWith('/artifacts/flame-tree.bin.gz')) treesRead.push(url.pathname + url.search);
      });
      const done = await holdDone(page);
      await page.getByLabel('Until stopped (at most the limit)').check();
      await page.getByLabel('Process pattern').fill(program);
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.getByText(/Elapsed 0:0[3-9]/).waitFor();
      await page.getByRole('button', { name: 'Stop recording' }).click();

      // Drawn on the record page, from the sidecar through the proxy.
      const early = page.getByRole('region', { name: /^Flame graph of recording / });
      await early.waitFor({ timeout: 60_000 });
      await flameGraph(page).waitFor();
      assert.doesNotMatch(new URL(page.url()).pathname, /\/recordings\//, 'still on the record page');
      assert.equal(treesRead.length, 1);
      assert.match(
        treesRead[0] ?? '',
        /^\/proxy\/.+\/recordings\/[^/]+\/artifacts\/flame-tree\.bin\.gz\?wait=true$/,
      );
      const id = /recording (\S+)$/.exec((await early.getByRole('heading').textContent()) ?? '')?.[1] ?? '';
      await screenshot(page, 'early-graph');

      // Done: the recording's page opens on the tree already read, and the catalog has every file.
      done.release();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
      await flameGraph(page).waitFor();
      assert.equal(decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? ''), id);
      assert.equal(treesRead.length, 1, `the tree was read once: ${treesRead.join(', ')}`);
      const entry = (await (await fetch(`${baseUrl}/api/v1/recordings/${id}`, { headers })).json()) as {
        artifacts: { name: string }[];
      };
      const names = entry.artifacts.map((a) => a.name);
      for (const name of [
        'flame-tree.bin.gz',
        'stacks.folded',
        'flamegraph.svg',
        'flamegraph.html',
        'speedscope.json',
        'perf.data',
      ])
        assert.ok(names.includes(name), `the catalog has ${name}: ${names.join(', ')}`);
    });
  });
});
