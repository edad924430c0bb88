// What a user sees of the UI's flame graph, read from the page: the canvas's highlighted (search
// match) columns, a point inside a highlighted frame, the status and description texts, screenshots.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright';

export const RESULTS_DIR = resolve(import.meta.dirname, '../../test-results');

export function flameGraph(page: Page): Locator {
  return page.getByRole('img', { name: /^Flame graph/ });
}

/** Share of the canvas's pixel columns that show a search match (magenta), 0..1. */
export async function highlightedShare(page: Page): Promise<number> {
  return flameGraph(page).evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (!context) return 0;
    const { width, height, data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let columns = 0;
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) {
        const i = (y * width + x) * 4;
        if ((data[i] ?? 0) > 200 && (data[i + 1] ?? 255) < 40 && (data[i + 2] ?? 0) > 200) {
          columns += 1;
          break;
        }
      }
    }
    return width > 0 ? columns / width : 0;
  });
}

/** A point (CSS pixels) in the middle of the widest run of highlighted pixels, to hover or click. */
export async function highlightedPoint(page: Page): Promise<{ x: number; y: number } | undefined> {
  // No named functions inside evaluate: the browser has no __name helper that tsx would call.
  const mask = await flameGraph(page).evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (!context) return undefined;
    const { width, height, data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const on: number[] = [];
    for (let p = 0; p < width * height; p++)
      on.push(
        (data[p * 4] ?? 0) > 200 && (data[p * 4 + 1] ?? 255) < 40 && (data[p * 4 + 2] ?? 0) > 200 ? 1 : 0,
      );
    return { width, height, on, ratio: canvas.width / canvas.getBoundingClientRect().width };
  });
  if (!mask) return undefined;
  const best = widestRun(mask);
  if (!best) return undefined;
  // The middle of the frame's height at that column, not its top edge: a page laid out at a fractional
  // offset would otherwise put the pointer a fraction of a pixel above the frame.
  const lit = (y: number): boolean => mask.on[y * mask.width + Math.round(best.x)] === 1;
  let [top, bottom] = [best.y, best.y];
  while (top > 0 && lit(top - 1)) top -= 1;
  while (bottom < mask.height - 1 && lit(bottom + 1)) bottom += 1;
  return { x: best.x / mask.ratio, y: (top + bottom) / 2 / mask.ratio };
}

function widestRun(mask: {
  width: number;
  height: number;
  on: number[];
}): { x: number; y: number } | undefined {
  let best: { x: number; y: number; run: number } | undefined;
  for (let y = 0; y < mask.height; y += 3) {
    let run = 0;
    for (let x = 0; x <= mask.width; x++) {
      if (x < mask.width && mask.on[y * mask.width + x] === 1) run += 1;
      else {
        if (run > (best?.run ?? 0)) best = { x: x - run / 2, y, run };
        run = 0;
      }
    }
  }
  return best;
}

/** "Matched: 24.6%" → 24.6, or undefined while there is no search. */
export async function matchedPercent(page: Page): Promise<number | undefined> {
  const text = (await page.locator('#search-status').textContent()) ?? '';
  const match = /^Matched: ([\d.]+)%$/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}

/** The text of the elements that describe a field (its limit, and the server's message). */
/** The text of a field's descriptions, once the server's limits have loaded into them (30 s at most). */
export async function descriptionOf(field: Locator): Promise<string> {
  const read = (): Promise<string> =>
    field.evaluate((element) =>
      (element.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  const deadline = Date.now() + 30_000;
  let text = await read();
  while (text.includes('loading the limit') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    text = await read();
  }
  return text;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `ui-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Share of samples whose stack has a frame matching `pattern`, from folded text: the truth. */
export function foldedShare(folded: string, pattern: RegExp): number {
  let matched = 0;
  let total = 0;
  for (const line of folded.split('\n')) {
    const m = /^(.*) (\d+)$/.exec(line);
    if (!m) continue;
    const count = Number(m[2]);
    total += count;
    if ((m[1] ?? '').split(';').some((frame) => pattern.test(frame))) matched += count;
  }
  return total > 0 ? matched / total : 0;
}

/**
 * The Top functions table's names, top row first, once it has rows: the table fills in after the graph's
 * first draw (it is counted in a deferred pass), so reading it right after the draw can find it empty.
 */
export async function topFunctionNames(page: Page): Promise<string[]> {
  const rows = page.locator('.top-functions tbody th');
  await rows.first().waitFor();
  return rows.allTextContents();
}
