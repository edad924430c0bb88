// The record form with profiler bpftrace, against the real server in local mode, its real sidecar and the
// real bpftrace: the program's own field, its refusal beside it, a stack map drawn as a flame graph.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPage } from '../harness/browser.ts';
import { runHotProgram } from '../harness/hot-program.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { descriptionOf, flameGraph, screenshot } from './flame-page.ts';

describe('web UI: profiler bpftrace (real server, sidecar and bpftrace in local mode)', () => {
  it('shows the program field for bpftrace only, puts its refusal beside it, and draws a ustack map', async (t) => {
    const { baseUrl, dir, keyedUrl, headers } = await startLocalServer(t);
    const pattern = await runHotProgram(t, dir, 300);
    await withPage(t, async (page) => {
      await page.goto(keyedUrl());
      await pickedPod(page);
      const program = page.getByLabel('bpftrace program');
      assert.equal(await program.count(), 0, 'no program field for perf');
      await page.getByLabel('Profiler').selectOption('bpftrace');
      await program.waitFor();
      assert.equal(await page.getByLabel('Frequency (Hz)').count(), 0, 'perf settings are hidden');

      await page.getByLabel('Duration (seconds)').fill('3');
      await page.getByLabel('Process pattern').fill(pattern);
      await program.fill('profile:hz:99 { system("id"); }');
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.locator('#bpftrace-program-error').waitFor();
      assert.equal(await program.getAttribute('aria-invalid'), 'true');
      assert.match(await descriptionOf(program), /bpftrace program is refused: system\(\) runs commands/);
      await screenshot(page, 'bpftrace-refused');

      await program.fill('profile:hz:199 {\n  @[ustack] = count();\n}\n');
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
      await flameGraph(page).waitFor();
      await page.getByText('bpftrace program of 3 lines').waitFor();
      const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
      const folded = await (
        await fetch(`${baseUrl}/api/v1/recordings/${id}/artifacts/stacks.folded`, { headers })
      ).text();
      assert.match(folded, /main;furnace_heavy \d+$/m, folded);
      const output = await fetch(`${baseUrl}/api/v1/recordings/${id}/artifacts/bpftrace.txt`, { headers });
      assert.equal(output.status, 200);
      assert.match(await output.text(), /furnace_heavy/);
      await screenshot(page, 'bpftrace-flame-graph');
    });
  });
});
