// An offcpu recording in the catalog: the recording page's explorer speaks its unit (time off the CPU),
// in the graph's accessible name and in a frame's tooltip, not samples; Compare refuses it beside a CPU one;
// and the record form records one with the real sidecar and bpftrace.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openCatalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { finishedRecordingStatus, perfParams } from '../harness/recording-status.ts';
import { startProcess } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { buildWaitingProgram } from '../harness/waiting-program.ts';
import { HOSTNAME } from '../process/server-processes.ts';
import { flameGraph } from './flame-page.ts';

const FOLDED =
  'app_read;start_thread;__libc_read;ksys_read;schedule 3000000000\napp_sleep;start_thread;do_nanosleep 1000000000\n';

async function plantOffcpu(dataDir: string): Promise<void> {
  const catalog = await openCatalog({ dataDir, now: Date.now, retention: DEFAULT_RETENTION });
  const now = new Date().toISOString();
  const status = finishedRecordingStatus('offcpu-1', {
    startedAt: now,
    endedAt: now,
    params: { ...perfParams(5), profile: 'offcpu' },
    profiler: 'sched',
    samples: 4_000_000_000,
    artifacts: ['stacks.folded'],
  });
  const owner = { namespace: 'local', pod: HOSTNAME };
  await catalog.putMetadata(status, owner);
  await catalog.putArtifact('offcpu-1', 'stacks.folded', Readable.from([FOLDED]), { owner, maxBytes: 1024 });
  const cpu = finishedRecordingStatus('cpu-1', {
    startedAt: now,
    endedAt: now,
    artifacts: ['stacks.folded'],
  });
  await catalog.putMetadata(cpu, owner);
  await catalog.putArtifact('cpu-1', 'stacks.folded', Readable.from(['app;main;work 10\n']), {
    owner,
    maxBytes: 1024,
  });
}

describe('web UI and an offcpu recording', () => {
  it('names the graph and its frames in time off the CPU', async (t) => {
    const dataDir = join(await tempDir(t, 'furnace-offcpu-ui-'), 'data');
    await plantOffcpu(dataDir);
    const { keyedUrl } = await startLocalServer(t, {
      localSidecar: false,
      env: { FURNACE_DATA_DIR: dataDir },
    });
    await withPage(t, async (page) => {
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(keyedUrl('/recordings/offcpu-1'));
      const graph = flameGraph(page);
      await graph.waitFor({ timeout: 30_000 });
      assert.match((await graph.getAttribute('aria-label')) ?? '', /, 4 s off-CPU$/);
      const box = await graph.boundingBox();
      assert.ok(box !== null);
      // The bottom row is the root (all of it); the frame above its left three quarters is app_read.
      await graph.hover({ position: { x: box.width * 0.3, y: box.height - 25 } });
      const tooltip = (await page.getByRole('tooltip').textContent()) ?? '';
      assert.match(tooltip, /\d(\.\d+)? s off-CPU \([\d.]+%\)/, tooltip);
      assert.doesNotMatch(tooltip, /samples/);
      const summary = (await page.locator('dl.summary').textContent()) ?? '';
      assert.match(summary, /Profileoffcpu/);
      assert.match(summary, /Time4 s off-CPU/);
      assert.match(summary, /time blocked off the CPU, in nanoseconds/);
    });
  });

  it('refuses to compare it with a cpu recording, saying why', async (t) => {
    const dataDir = join(await tempDir(t, 'furnace-offcpu-compare-'), 'data');
    await plantOffcpu(dataDir);
    const { keyedUrl } = await startLocalServer(t, {
      localSidecar: false,
      env: { FURNACE_DATA_DIR: dataDir },
    });
    await withPage(t, async (page) => {
      await page.goto(keyedUrl('/compare/cpu-1/offcpu-1'));
      await page
        .getByRole('heading', { name: 'These recordings do not compare' })
        .waitFor({ timeout: 30_000 });
      const text = (await page.getByRole('alert').textContent()) ?? '';
      assert.match(text, /cpu-1 is of profile type cpu and offcpu-1 of offcpu/);
      assert.equal(await flameGraph(page).count(), 0, 'no differential graph is drawn');
    });
  });

  it('records offcpu from the form (real server, sidecar and bpftrace) and shows its time blocked', async (t) => {
    const { baseUrl, dir, keyedUrl, headers } = await startLocalServer(t);
    const target = startProcess(t, await buildWaitingProgram(dir, 'fwait_ui'), ['300', 'ui']);
    await withPage(t, async (page) => {
      await page.goto(keyedUrl());
      await pickedPod(page);
      const profile = page.getByLabel('Profile', { exact: true });
      await profile.selectOption('offcpu');
      await page.getByLabel('Duration (seconds)').fill('3');
      await page.getByLabel('PID').fill(String(target.pid));
      await page.getByRole('button', { name: 'Start recording' }).click();
      await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 60_000 });
      const graph = flameGraph(page);
      await graph.waitFor({ timeout: 60_000 });
      await page.getByText('time blocked off the CPU, in nanoseconds').waitFor();
      assert.match((await graph.getAttribute('aria-label')) ?? '', / s off-CPU$/);
      const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
      const folded = await (
        await fetch(`${baseUrl}/api/v1/recordings/${id}/artifacts/stacks.folded`, { headers })
      ).text();
      assert.match(folded, /^ui_read;.*;ksys_read;.* \d+$/m, folded);
    });
  });
});
