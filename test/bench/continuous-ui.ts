// The Continuous page in chromium on one hour of windows (15 s, two busy pods at 19 Hz: 480 windows of
// about 285 samples over 250 distinct stacks each): from the release of the mouse that brushes the whole
// hour to the frame that shows the flame graph of the range (frame-shown.ts; target ≤ 1.5 s, issue 24).
// Same-run baseline: the range query alone (the server reading and merging the 480 windows, fetched by
// Node, not parsed), and the ratio. The server is the user listener built in-process
// (test/harness/continuous-server.ts) on the real window store; its windows are files, as with one
// replica. Bounded: 3 rounds.
// Run: npm run bench:continuous-ui
import type { Page } from 'playwright';
import { launchBrowser } from '../harness/browser-launch.ts';
import { seedHour, startContinuousServer, WINDOW_MS } from '../harness/continuous-server.ts';
import { loadAverage, runBench } from './bench-kit.ts';
import { DRAWN, markFramesShown, SHOWN } from './frame-shown.ts';
import { median } from './machine.ts';
import { syntheticFolded } from './ui-stand-in.ts';

const ROUNDS = 3;
const START = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const STACKS_PER_WINDOW = 250;
const SAMPLES_PER_WINDOW = 285;

/** The stacks a pod's windows sample from: a call tree of 3,000 leaves (bench:ui's shape, shared prefixes). */
const POOL = syntheticFolded(3000)
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => line.slice(0, line.lastIndexOf(' ')));

/** Window i of a pod: 250 of the pool's stacks, a different 250 each window, 285 samples in all. */
function windowOf(pod: number, i: number): string {
  const lines: string[] = [];
  for (let s = 0; s < STACKS_PER_WINDOW; s++) {
    const stack = POOL[(i * 37 + s * 11 + pod * 500) % POOL.length] ?? 'main';
    const count = s < SAMPLES_PER_WINDOW - STACKS_PER_WINDOW ? 2 : 1;
    lines.push(`web-${pod + 1};${stack.slice(stack.indexOf(';') + 1)} ${count}`);
  }
  return `${lines.join('\n')}\n`;
}

interface BrushTiming {
  /** To the frame that shows the flame graph (frame-shown.ts): what the user waits for. */
  draw: number;
  /** To the page script's draw alone. */
  drawn: number;
  requested: number;
  answered: number;
}

/** Brushes the whole timeline; ms from the mouse's release (its event's time) to the next flame graph shown. */
async function brushToDraw(page: Page): Promise<BrushTiming> {
  const timeline = page.getByRole('img', { name: /^Timeline of shop/ });
  await timeline.waitFor({ timeout: 60_000 });
  const before = await page.evaluate((name) => performance.getEntriesByName(name).length, SHOWN);
  await page.evaluate(() => {
    document.addEventListener(
      'pointerup',
      (event) => ((window as unknown as { brushAt: number }).brushAt = event.timeStamp),
      { capture: true, once: true },
    );
  });
  const box = await timeline.boundingBox();
  if (!box) throw new Error('no timeline');
  await page.mouse.move(box.x + 1, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(
    ({ name, count }) => performance.getEntriesByName(name).length > count,
    { name: SHOWN, count: before },
    { polling: 'raf', timeout: 60_000 },
  );
  // No named function inside: tsx would wrap it in a helper (__name) the page does not have.
  return page.evaluate(
    ({ drawnName, shownName }) => {
      const [shown, drawn] = [shownName, drawnName].map(
        (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN,
      );
      const brushAt = (window as unknown as { brushAt: number }).brushAt;
      const fetches = performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.includes('/api/v1/continuous/stacks'));
      const range = fetches[fetches.length - 1] as PerformanceResourceTiming | undefined;
      return {
        draw: (shown ?? NaN) - brushAt,
        drawn: (drawn ?? NaN) - brushAt,
        requested: (range?.startTime ?? NaN) - brushAt,
        answered: (range?.responseEnd ?? NaN) - brushAt,
      };
    },
    { drawnName: DRAWN, shownName: SHOWN },
  );
}

async function serverQuery(baseUrl: string): Promise<{ ms: number; bytes: number; samples: string }> {
  const start = performance.now();
  const answer = await fetch(
    `${baseUrl}/api/v1/continuous/stacks?namespace=shop&from=${START}&to=${START + HOUR}`,
  );
  const bytes = (await answer.arrayBuffer()).byteLength;
  return { ms: performance.now() - start, bytes, samples: answer.headers.get('x-furnace-samples') ?? '?' };
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;

await runBench('bench:continuous-ui', async (bench) => {
  const server = await startContinuousServer(bench.t);
  const pods = [0, 1].map((n) => ({
    pod: `web-${n + 1}`,
    workload: 'Deployment/web',
    folded: (i: number) => windowOf(n, i),
  }));
  const windows = await seedHour(server.windows, START, pods);
  process.stdout.write(`seeded ${windows} windows of ${WINDOW_MS / 1000} s (one hour, two pods)\n`);
  const browser = await launchBrowser();
  bench.t.after(() => browser.close());
  const draws: number[] = [];
  const queries: number[] = [];
  let answer = { bytes: 0, samples: '?' };
  for (let round = 0; round < ROUNDS; round++) {
    const query = await serverQuery(server.baseUrl);
    queries.push(query.ms);
    answer = query;
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await markFramesShown(page);
      await page.goto(`${server.baseUrl}/continuous?ns=shop&from=${START}&to=${START + HOUR}`);
      const timing = await brushToDraw(page);
      draws.push(timing.draw);
      process.stdout.write(
        `  request sent after ${ms(timing.requested)}, answer read by ${ms(timing.answered)}, the script's draw at ${ms(timing.drawn)}\n`,
      );
    } finally {
      await page.close();
    }
    process.stdout.write(
      `round ${round + 1}: brush → first graph shown ${ms(draws[round] ?? NaN)}, range query alone ${ms(query.ms)}; load ${loadAverage()}\n`,
    );
  }
  const draw = median(draws);
  const alone = median(queries);
  process.stdout.write(
    `merged answer: ${answer.bytes} bytes, ${answer.samples} samples\n` +
      `median brush of 1 hour → first graph shown: ${ms(draw)} (target ≤ 1500 ms: ${draw <= 1500 ? 'met' : 'NOT met'})\n` +
      `median range query alone (baseline): ${ms(alone)}; ratio ${(draw / alone).toFixed(2)}\n`,
  );
});
