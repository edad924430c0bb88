// The web UI in chromium on a profile of 100,000 unique stacks: navigation → first drawn flame graph
// (target ≤ 1 s), a search (≤ 100 ms), a zoom (≤ 50 ms); and the same folded file opened in the
// speedscope app this server serves, in the same run, as the baseline. Bounded: 3 rounds each.
// Run: npm run bench:ui
import { cpus } from 'node:os';
import type { TestContext } from 'node:test';
import type { Page } from 'playwright';
import { buildUi } from '../../ui/build.ts';
import { launchBrowser } from '../harness/browser.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { syntheticFolded, uploadRecording } from './ui-stand-in.ts';

const ROUNDS = 3;
const STACKS = 100_000;
const SECRET = 'bench-ui-secret';
const ID = 'bench-100k-stacks';
const cleanups: (() => unknown)[] = [];
const t = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;

/** Time from the page's navigation start to the latest draw of the flame graph, in ms. */
function lastDraw(page: Page): Promise<number> {
  return page.evaluate(() => {
    const marks = performance.getEntriesByName('furnace-flame-drawn');
    return marks[marks.length - 1]?.startTime ?? NaN;
  });
}

/** Runs `act` in the page and waits for the graph to be drawn again; ms from the act to the draw. */
async function timeRedraw(page: Page, act: () => Promise<void>): Promise<number> {
  const before = await page.evaluate(() => performance.getEntriesByName('furnace-flame-drawn').length);
  const start = await page.evaluate(() => performance.now());
  await act();
  await page.waitForFunction(
    (count) => performance.getEntriesByName('furnace-flame-drawn').length > count,
    before,
    { polling: 'raf' },
  );
  return (await lastDraw(page)) - start;
}

async function furnaceRound(page: Page, baseUrl: string): Promise<number[]> {
  await page.goto(`${baseUrl}/recordings/${ID}`);
  const graph = page.getByRole('img', { name: /^Flame graph/ });
  await graph.waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => performance.getEntriesByName('furnace-flame-drawn').length > 0);
  const firstDraw = await lastDraw(page);
  // The search input event fired inside the page, so the time is the page's, not the driver's.
  const search = await timeRedraw(page, () =>
    page.evaluate(() => {
      const input = document.getElementById('search') as HTMLInputElement;
      input.value = 'module_1[0-9]::fn_9';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }),
  );
  const box = await graph.boundingBox();
  if (!box) throw new Error('no graph');
  const zoom = await timeRedraw(page, () =>
    page.evaluate(
      ({ x, y }) => {
        const canvas = document.querySelector('canvas[role="img"]') as HTMLCanvasElement;
        const rect = canvas.getBoundingClientRect();
        canvas.dispatchEvent(
          new MouseEvent('click', { bubbles: true, clientX: rect.left + x, clientY: rect.top + y }),
        );
      },
      { x: box.width * 0.3, y: box.height - 18 * 3 - 9 },
    ),
  );
  // What the network alone costs on this machine: the same file fetched again, not parsed.
  const fetchOnly = await page.evaluate(async (url) => {
    const start = performance.now();
    await (await fetch(url, { cache: 'no-store' })).arrayBuffer();
    return performance.now() - start;
  }, `${baseUrl}/api/v1/recordings/${ID}/artifacts/stacks.folded`);
  return [firstDraw, search, zoom, fetchOnly];
}

async function speedscopeRound(page: Page, baseUrl: string): Promise<number> {
  const profile = encodeURIComponent(`${baseUrl}/api/v1/recordings/${ID}/artifacts/stacks.folded`);
  await page.goto(`${baseUrl}/speedscope/#profileURL=${profile}&title=${ID}`);
  // speedscope names the tab after the profile once it has imported and drawn it.
  await page.waitForFunction((title) => document.title === `${title} - speedscope`, ID, { timeout: 120_000 });
  await page.waitForFunction(() => new Promise((resolve) => requestAnimationFrame(() => resolve(true))));
  return page.evaluate(() => performance.now());
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (value: number): string => `${value.toFixed(0)} ms`;

async function main(): Promise<void> {
  const bundle = await buildUi();
  const folded = syntheticFolded(STACKS);
  const server = await startLocalServer(t, {
    localSidecar: false,
    env: { FURNACE_REGISTRATION_SECRET: SECRET },
  });
  await uploadRecording(server.baseUrl, SECRET, ID, folded);
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const furnace: number[][] = [];
  const speedscope: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    furnace.push(await furnaceRound(page, server.baseUrl));
    await page.close();
    const baseline = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    speedscope.push(await speedscopeRound(baseline, server.baseUrl));
    await baseline.close();
  }
  const column = (i: number): number[] => furnace.map((row) => row[i] ?? NaN);
  const first = median(column(0));
  const base = median(speedscope);
  process.stdout.write(
    [
      `machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, Node ${process.version}, chromium headless`,
      `profile: ${STACKS.toLocaleString('en')} unique stacks, ${(folded.length / 1e6).toFixed(1)} MB folded; UI script ${(bundle.gzippedJsBytes / 1024).toFixed(1)} KB gzipped`,
      '',
      '| measure | Furnace (median of 3; runs) | speedscope (same file, same run) | ratio | target |',
      '|---|---|---|---|---|',
      `| navigation → flame graph drawn | **${ms(first)}** (${column(0).map(ms).join(', ')}) | ${ms(base)} (${speedscope.map(ms).join(', ')}) | ${(first / base).toFixed(2)} | ≤ 1 s |`,
      `| search (regex) → redrawn with matches | **${ms(median(column(1)))}** (${column(1).map(ms).join(', ')}) | — | — | ≤ 100 ms |`,
      `| click to zoom → redrawn | **${ms(median(column(2)))}** (${column(2).map(ms).join(', ')}) | — | — | ≤ 50 ms |`,
      `| (context) fetching the folded file alone | ${ms(median(column(3)))} (${column(3).map(ms).join(', ')}) | — | — | — |`,
      '',
    ].join('\n'),
  );
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
