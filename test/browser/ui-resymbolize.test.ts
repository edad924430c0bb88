// Re-symbolize from a recording's page, on a phone's 390 px: a stripped C program (its debug file split off,
// as a release build ships) recorded by the real local-mode server's real sidecar and perf has no names;
// while another recording runs, the recorder's refusal is shown in its own words; once the program's debug
// file is uploaded to the namespace (the REST route the CLI uses), Re-symbolize makes the graph again, the
// hot function is named in it, and the page says the process's graph gained names (100 % of its samples
// had an unnamed frame, now far fewer; its hot path ends in furnace_heavy), with no sideways scrolling. The
// recording's warnings that said the binary is stripped and has no debug file are gone from the page.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { withPage } from '../harness/browser.ts';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { startLocalServer, type LocalServer } from '../harness/local-server.ts';
import { startProcess } from '../harness/processes.ts';
import { buildStrippedC } from '../harness/stripped-programs.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from '../process/server-processes.ts';
import { flameGraph, matchedPercent, screenshot } from './flame-page.ts';

const WIDTH = 390;
const pod = (server: LocalServer, rest: string) => `${server.baseUrl}/proxy/local/${HOSTNAME}/${rest}`;

/** Starts a perf recording of `pid` (frame pointers: the hot program has them) and answers its id. */
async function start(server: LocalServer, pid: number, durationSeconds: number): Promise<string> {
  const started = await fetchJson<RecordingStatus>(pod(server, 'recordings'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...server.headers },
    body: JSON.stringify({ pid, durationSeconds, frequency: 199, callGraph: 'fp' }),
  });
  assert.ok(started.status >= 200 && started.status < 300, JSON.stringify(started.body));
  return started.body.id;
}

/** Resolves once the recorder says the recording is done and the catalog holds its graph. */
async function finished(server: LocalServer, id: string): Promise<void> {
  await eventually(
    async () => {
      const status = await fetchJson<RecordingStatus>(pod(server, `recordings/${id}`), {
        headers: server.headers,
      });
      assert.notEqual(status.body.state, 'failed', status.body.error);
      if (status.body.state !== 'done') return undefined;
      const entry = await fetchJson<{ artifacts: { name: string }[] }>(
        `${server.baseUrl}/api/v1/recordings/${id}`,
        { headers: server.headers },
      );
      return entry.status === 200 && entry.body.artifacts.some((a) => a.name === 'flame-tree.bin.gz')
        ? true
        : undefined;
    },
    60_000,
    `recording ${id} to be done and in the catalog`,
  );
}

async function searchShare(page: Page, text: string): Promise<number> {
  await page.getByLabel('Search').fill(text);
  await page.waitForFunction(() =>
    /^Matched: /.test(document.getElementById('search-status')?.textContent ?? ''),
  );
  return (await matchedPercent(page)) ?? NaN;
}

/** The recording's warnings as the page lists them. */
async function warningsShown(page: Page): Promise<string[]> {
  const list = page.getByRole('list', { name: 'Warnings' });
  return (await list.count()) === 0 ? [] : list.getByRole('listitem').allTextContents();
}

/** What the recording said about the stripped program before its symbols were uploaded. */
const STALE = [/no debug file for stripped .*furnace-stripped-/, /the binary is stripped/];

async function assertFits(page: Page, what: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= WIDTH, `${what}: no sideways scrolling at ${WIDTH} px (${width})`);
}

describe('Re-symbolize in the web UI (real server, sidecar, perf and a stripped program; 390 px)', () => {
  it('refuses in the recorder’s words while it is busy, then names the hot function from an uploaded debug file and says which graph gained names', async (t) => {
    const work = await tempDir(t, 'furnace-ui-resymbolize-');
    const stripped = await buildStrippedC(work, `ui-${process.pid}-${Date.now()}`);
    const target = startProcess(t, stripped.program, ['300']);
    const server = await startLocalServer(t);
    const id = await start(server, target.pid, 2);
    await finished(server, id);

    await withPage(t, async (page) => {
      await page.setViewportSize({ width: WIDTH, height: 900 });
      await page.goto(server.keyedUrl(`/recordings/${id}`));
      await flameGraph(page).waitFor();
      assert.equal(await searchShare(page, 'furnace_heavy'), 0, 'stripped: the hot function has no name');
      const before = await warningsShown(page);
      for (const stale of STALE)
        assert.ok(
          before.some((w) => stale.test(w)),
          `${stale} before: ${JSON.stringify(before)}`,
        );
      const button = page.getByRole('button', { name: 'Re-symbolize' });
      await button.waitFor();
      await assertFits(page, 'the Re-symbolize action');

      // Another recording runs: the recorder refuses, and the page says so in its words.
      const other = await start(server, target.pid, 30);
      await button.click();
      const refusal = page.getByRole('alert');
      await refusal.waitFor();
      assert.match(
        (await refusal.textContent()) ?? '',
        new RegExp(`the recorder is busy: symbolize ${id} again later`),
      );
      await assertFits(page, 'the refusal');
      const stopped = await fetchJson(pod(server, `recordings/${other}/stop`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...server.headers },
        body: '{}',
      });
      assert.ok(stopped.status >= 200 && stopped.status < 300, JSON.stringify(stopped.body));
      await finished(server, other);

      const uploaded = await fetchJson<{ buildId: string }>(
        `${server.baseUrl}/api/v1/symbols?namespace=local`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', ...server.headers },
          body: await readFile(stripped.debugFile),
        },
      );
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      assert.equal(uploaded.body.buildId, stripped.buildId);

      await button.click();
      await page.getByRole('status').filter({ hasText: 'Symbolizing again…' }).waitFor();
      const report = page.getByRole('status', { name: 'Names gained' });
      await report.getByText(/graphs? gained names:/).waitFor({ timeout: 120_000 });
      const text = (await report.textContent()) ?? '';
      assert.match(text, /^Symbolized again at \S+: .*from the namespace's uploaded symbols/);
      const gained = report.locator('li.gained');
      assert.ok((await gained.count()) >= 1, text);
      const line = (await gained.first().textContent()) ?? '';
      const shares = /samples with an unnamed frame: (\S+) % → (\S+) %/.exec(line);
      assert.ok(shares, line);
      assert.match(shares[1] ?? '', /^(100|>99)$/, `every sample had an unnamed frame before: ${line}`);
      assert.ok(Number((shares[2] ?? '').replace(/[<>]/, '')) <= 20, `few after: ${line}`);
      assert.match(
        line,
        /hot path: .* ends in \[furnace-stripped-[^\]]*\] → .* ends in furnace_(heavy|light)/,
      );
      assert.ok(await flameGraph(page).isVisible(), 'the graph is still drawn');
      assert.ok((await searchShare(page, 'furnace_heavy')) > 50, 'the graph names the hot function now');
      // The page shows what the new graph says, not what the stripped one did above the report.
      const after = await warningsShown(page);
      for (const stale of STALE)
        assert.ok(!after.some((w) => stale.test(w)), `no longer ${stale}: ${JSON.stringify(after)}`);
      assert.ok(
        after.some((w) => /^symbolized again at .*from the namespace's uploaded symbols/.test(w)),
        JSON.stringify(after),
      );
      await assertFits(page, 'the report of names gained');
      await screenshot(page, 'resymbolize-390');
    });
  });
});
