// A zoom that shows frames deeper than the first graph had, in the web UI against the real server in
// local mode (a recording uploaded through the recorder listener, as a sidecar does): the graph grows
// by those rows, its deepest frame is drawn in the row the user sees at the top (bottom in an icicle)
// and is the frame the pointer finds there. The canvas keeps rows to spare, clipped from view, so these
// are the places where a misplaced canvas would show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { compactTreeOf, uploadRecording } from '../bench/ui-stand-in.ts';
import { flameGraph } from './flame-page.ts';

const SECRET = 'zoom-deeper-secret';
const CHAIN = Array.from({ length: 30 }, (_, i) => `deep_${i + 1}`);
// `wide` takes most samples; `branch` holds a shallow callee and a chain of 30 frames with 5 samples,
// narrower than half a pixel in the whole graph and about 2 px once zoomed into `branch`.
const FOLDED = [
  'app;main;wide 10000',
  'app;main;branch;shallow 2000',
  `app;main;branch;${CHAIN.join(';')} 5`,
  '',
].join('\n');

/** The graph as the user sees it: its box, in page pixels. */
async function graphBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('.flame-graph').boundingBox();
  if (!box) throw new Error('no graph box');
  return box;
}

/** Whether the canvas has a drawn pixel at a point of the graph's box (CSS pixels from its top left). */
function drawnAt(page: Page, x: number, y: number): Promise<boolean> {
  return flameGraph(page).evaluate(
    (canvas: HTMLCanvasElement, point) => {
      const shown = (canvas.parentElement as HTMLElement).getBoundingClientRect();
      const own = canvas.getBoundingClientRect();
      const ratio = canvas.width / own.width;
      const px = Math.floor((point.x + shown.left - own.left) * ratio);
      const py = Math.floor((point.y + shown.top - own.top) * ratio);
      return (canvas.getContext('2d')?.getImageData(px, py, 1, 1).data[3] ?? 0) > 0;
    },
    { x, y },
  );
}

async function tooltipAt(page: Page, x: number, y: number): Promise<string> {
  const box = await graphBox(page);
  await page.mouse.move(box.x + x, box.y + y);
  return (await page.getByRole('tooltip').locator('.tooltip-name').textContent()) ?? '';
}

describe('web UI: a zoom into deeper frames (real server, uploaded recording)', () => {
  it('grows the graph by the new rows and draws its deepest frame where the user sees and points', async (t) => {
    const recorderPort = await freePort();
    const server = await startLocalServer(t, {
      localSidecar: false,
      env: { FURNACE_REGISTRATION_SECRET: SECRET, FURNACE_RECORDER_PORT: String(recorderPort) },
    });
    const id = 'zoom-deeper';
    await uploadRecording(`http://127.0.0.1:${recorderPort}`, SECRET, {
      id,
      folded: FOLDED,
      tree: compactTreeOf(FOLDED),
    });
    await withPage(t, async (page) => {
      // Tall enough that the zoomed graph is in the window.
      await page.setViewportSize({ width: 1400, height: 1400 });
      await page.goto(server.keyedUrl(`/recordings/${id}`));
      await flameGraph(page).waitFor();
      // all, app, main, then branch (left) and wide, then shallow above branch: five rows.
      const before = await graphBox(page);
      assert.equal(before.height, 5 * 18);
      assert.equal(await tooltipAt(page, 100, 9), 'shallow', 'the top row');

      await page.mouse.click(before.x + 100, before.y + before.height - 3 * 18 - 9);
      await page.waitForURL(/zoom=/);
      await page.getByRole('navigation', { name: 'Zoom path' }).getByText('branch').waitFor();
      const after = await graphBox(page);
      // The roots, app, main, branch and the chain of 30: 34 rows, the deepest at the top.
      assert.equal(after.height, 34 * 18);
      assert.ok(await drawnAt(page, 1, 9), 'the deepest frame is drawn in the top row');
      assert.equal(await tooltipAt(page, 1, 9), 'deep_30');
      assert.equal(await tooltipAt(page, 1, after.height - 9), 'all', 'the root in the bottom row');
      assert.ok(!(await drawnAt(page, after.width - 2, 9)), 'nothing beside the chain');

      await page.getByRole('button', { name: 'Icicle' }).click();
      await page.waitForURL(/view=icicle/);
      const icicle = await graphBox(page);
      assert.equal(icicle.height, 34 * 18);
      assert.ok(await drawnAt(page, 1, icicle.height - 9), 'the deepest frame is drawn in the bottom row');
      assert.equal(await tooltipAt(page, 1, icicle.height - 9), 'deep_30');
      assert.equal(await tooltipAt(page, 1, 9), 'all', 'the root in the top row');
    });
  });
});
