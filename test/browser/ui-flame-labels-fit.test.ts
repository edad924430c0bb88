// Every name the canvas flame graph draws fits inside its frame (issue 44 item 2): a real recording
// (test/bench/fixtures/recording-12k.folded.gz: C and Node programs under real perf, 16,000 frames, most
// of them narrow) at 390 and 1400 px. The page's own canvas calls are recorded (fillRect for a frame,
// fillText for its name) and each name is measured with the canvas's own font, as it was drawn.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright';
import { EXPORT_FIXTURE } from '../bench/record-export-fixture.ts';
import { compactTreeOf, uploadRecording } from '../bench/ui-stand-in.ts';
import { withPage } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { flameGraph, screenshot } from './flame-page.ts';

const SECRET = 'ui-flame-labels-secret';

interface DrawnLabel {
  text: string;
  /** Where the name starts and how wide it is, as the canvas measured it. */
  x: number;
  width: number;
  /** The frame the name sits in: the rectangle drawn at its row whose left edge is nearest before it. */
  frameX: number;
  frameRight: number;
}

/**
 * Installed before the page's scripts: the flame graph's last paint (from its clearRect on) as rectangles
 * and names. No named functions inside: the browser has no __name helper that tsx would call.
 */
function recordCanvasCalls(): void {
  const proto = CanvasRenderingContext2D.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- each is called with the context's own this
  const { fillRect, fillText, clearRect } = proto;
  type Paint = { rects: number[][]; texts: { text: string; x: number; y: number; width: number }[] };
  const paints = new WeakMap<HTMLCanvasElement, Paint>();
  (window as unknown as { furnaceCanvasPaints: WeakMap<HTMLCanvasElement, Paint> }).furnaceCanvasPaints =
    paints;
  proto.clearRect = function (this: CanvasRenderingContext2D, ...args: [number, number, number, number]) {
    paints.set(this.canvas, { rects: [], texts: [] });
    clearRect.apply(this, args);
  };
  proto.fillRect = function (this: CanvasRenderingContext2D, ...args: [number, number, number, number]) {
    paints.get(this.canvas)?.rects.push(args);
    fillRect.apply(this, args);
  };
  proto.fillText = function (this: CanvasRenderingContext2D, ...args: [string, number, number, number?]) {
    const [text, x, y] = args;
    paints.get(this.canvas)?.texts.push({ text, x, y, width: this.measureText(text).width });
    fillText.apply(this, args as [string, number, number]);
  };
}

async function drawnLabels(page: Page): Promise<DrawnLabel[]> {
  return flameGraph(page).evaluate((canvas: HTMLCanvasElement) => {
    const paints = (
      window as unknown as {
        furnaceCanvasPaints: WeakMap<
          HTMLCanvasElement,
          { rects: number[][]; texts: { text: string; x: number; y: number; width: number }[] }
        >;
      }
    ).furnaceCanvasPaints;
    const paint = paints.get(canvas);
    if (!paint) return [];
    return paint.texts.map((label) => {
      // A name is drawn at its row's middle, a rectangle from its row's top: the rectangle of that row
      // that starts at or before the name, nearest to it.
      let best: number[] | undefined;
      for (const rect of paint.rects) {
        const [rx = 0, ry = 0, , rh = 0] = rect;
        if (label.y < ry || label.y > ry + rh || rx > label.x) continue;
        if (!best || rx > (best[0] ?? 0)) best = rect;
      }
      const [bx = NaN, , bw = NaN] = best ?? [];
      // fillRect draws a frame 0.5 px narrower than it is (a hairline between neighbours).
      return { text: label.text, x: label.x, width: label.width, frameX: bx, frameRight: bx + bw + 0.5 };
    });
  });
}

describe('canvas flame graph labels (real recording, real server)', () => {
  it('draws no name wider than its frame at 390 and 1400 px', async (t) => {
    const folded = gunzipSync(await readFile(EXPORT_FIXTURE)).toString('utf8');
    const recorderPort = await freePort();
    const server = await startLocalServer(t, {
      localSidecar: false,
      env: { FURNACE_REGISTRATION_SECRET: SECRET, FURNACE_RECORDER_PORT: String(recorderPort) },
    });
    await uploadRecording(`http://127.0.0.1:${recorderPort}`, SECRET, {
      id: 'real-12k',
      folded,
      tree: compactTreeOf(folded),
    });
    await withPage(t, async (page) => {
      await page.addInitScript(recordCanvasCalls);
      for (const width of [390, 1400]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(server.keyedUrl('/recordings/real-12k'));
        await flameGraph(page).waitFor();
        await page.waitForFunction(() => performance.getEntriesByName('furnace-flame-drawn').length > 0);
        const labels = await drawnLabels(page);
        await screenshot(page, `flame-labels-${width}`);
        // Short names are the ones the bug drew whole: 3 or 4 characters of room.
        const short = labels.filter((label) => label.frameRight - label.frameX < 45);
        assert.ok(labels.length >= 20, `${width} px: ${labels.length} names drawn`);
        assert.ok(short.length >= 3, `${width} px: ${short.length} names in frames under 45 px`);
        const over = labels.filter((label) => !(label.x + label.width <= label.frameRight));
        assert.deepEqual(
          over
            .slice(0, 5)
            .map((l) => `${l.text} (${l.width.toFixed(1)} px from ${l.x} in ${l.frameX}..${l.frameRight})`),
          [],
          `${width} px: ${over.length} of ${labels.length} names wider than their frames`,
        );
      }
    });
  });
});
