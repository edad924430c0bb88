// The regression flag on the recording page and in History, one click from the comparison: three versions
// of a workload's pod (real perf recordings of the four-function program: unchanged, then furnace_beta three
// times as expensive) uploaded through the recorder listener as the sidecar uploads them, to the real server
// in local mode, shown by real Chromium.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { compactTreeOf, uploadRecording } from '../bench/ui-stand-in.ts';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { flameGraph, screenshot } from './flame-page.ts';

const SECRET = 'ui-regression-flag-secret';

const folded = (name: string): string =>
  readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression', `${name}.folded`), 'utf8');

async function withVersions(t: Parameters<typeof startLocalServer>[0]) {
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
    await uploadRecording(recorderUrl, SECRET, { id, folded: stacks, tree: compactTreeOf(stacks) });
    // Each later than the one before: the recording before is the latest that started earlier.
    await sleep(20);
  }
  return server;
}

describe('the regression flag (real server, real perf recordings uploaded)', () => {
  it('flags the slower version on its page and in History, and opens the comparison in one click', async (t) => {
    const server = await withVersions(t);
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(server.keyedUrl('/recordings/v2'));
      const unchanged = page.getByRole('link', { name: /against the recording before v1/ });
      await unchanged.waitFor();
      assert.equal(
        (await unchanged.textContent())?.trim(),
        'No significant change against the recording before (v1)',
      );

      await page.goto(server.keyedUrl('/recordings/v3'));
      const flag = page.getByRole('link', {
        name: 'Regressed against the recording before v2: open the comparison',
      });
      await flag.waitFor();
      const text = (await flag.textContent()) ?? '';
      assert.match(
        text,
        /^Regressed against the recording before \(v2\): furnace_beta \d+\.\d% → \d+\.\d% \(×\d\.\d\)$/,
      );
      await screenshot(page, 'regression-flag');
      await flag.click();
      await page.waitForURL(/\/compare\/v2\/v3/);
      await page.getByRole('heading', { name: 'Compare v2 → v3' }).waitFor();
      await flameGraph(page).waitFor();
      const table = page.getByRole('table', { name: /^Change per function/ });
      const first = ((await table.locator('tbody tr').first().textContent()) ?? '').replace(/\s+/g, ' ');
      assert.match(first, /^furnace_beta/, 'the change table leads with the regressed function');

      await page.goto(server.keyedUrl('/history'));
      const rowOf = (id: string) =>
        page.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
      const row = rowOf('v3');
      const rowFlag = row.getByRole('link', { name: /^Regressed against the recording before v2/ });
      await rowFlag.waitFor();
      assert.match((await rowFlag.textContent()) ?? '', /^Regressed: furnace_beta /);
      assert.equal(await rowOf('v1').locator('.regression-none').textContent(), '—', 'nothing before v1');
      await rowFlag.click();
      await page.waitForURL(/\/compare\/v2\/v3/);
      await flameGraph(page).waitFor();
    });
  });
});
