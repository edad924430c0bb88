// Stop → flame graph as a user waits for it: chromium on the real server and its local sidecar (local mode),
// a compiled C program recorded at 99 Hz "Until stopped" and stopped from the UI after 30 s. Each step
// is timed: the click (page), perf exited, perf script and the collapser done and the compact tree written
// from the collapser's trie (they follow each other: the sidecar's "recording stage" log lines), the page
// learned the tree is there (the sidecar answered the page's waiting read of it), the tree fetched from the sidecar, first draw
// (page); then, after the first draw, the stacks joined, the folded stacks written, the graphs rendered,
// the artifacts uploaded, the page learned done and the catalog answered. The baseline in the same run: `perf record` of the same program for as long, then
// `perf script > /dev/null` of it alone after each run (the floor). Writes docs/stop-to-graph.svg.
// Run: npm run bench:stop-to-graph [-- RUNS] [-- --quick] [-- --seconds S]
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright';
import { launchBrowser } from '../harness/browser-launch.ts';
import { spawn } from '../harness/child-processes.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { startLocalServer, type LocalServer } from '../harness/local-server.ts';
import { run, startProcess } from '../harness/processes.ts';
import { median, percentile } from '../harness/stats.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { pickedPod } from '../harness/ui-pages.ts';
import { runBench, type BenchContext } from './bench-kit.ts';
import { instrument, pageTimes, type PageTimes } from './stop-to-graph-page.ts';
import { stackedBarSvg } from './stop-to-graph-svg.ts';

const FREQUENCY = 99;
const TARGET_MS = 1000;
const SVG_PATH = resolve(import.meta.dirname, '../../docs/stop-to-graph.svg');

interface Options {
  runs: number;
  seconds: number;
}

function parseArgs(argv: string[]): Options {
  let runs = 10;
  let seconds = 30;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--quick') runs = 2;
    else if (arg === '--seconds') seconds = Number(argv[++i]);
    else if (/^\d+$/.test(arg)) runs = Number(arg);
    else throw new Error(`unknown argument ${arg}: RUNS, --quick (2 runs) or --seconds S`);
  }
  if (!(runs >= 1 && seconds >= 1)) throw new Error('RUNS and --seconds must be at least 1');
  return { runs, seconds };
}

/**
 * The steps to the first draw, in order: where each ends, as epoch ms; `click` starts them all. The
 * record page draws from the sidecar's compact tree as soon as its waiting read of it is answered, while the
 * sidecar renders and uploads the rest (AFTER: from the click too, not part of the wait).
 */
const STEPS = [
  ['perf exited', 'script'],
  ['perf script + collapse done, tree written', 'tree'],
  ['UI learned the tree is there', 'treeLearned'],
  ['tree fetched (from the sidecar)', 'treeFetched'],
  ['page script drew the graph', 'scriptDraw'],
  ['first draw (the frame that shows it)', 'firstDraw'],
] as const;
const AFTER = [
  ['stacks joined and diagnosed (render begins)', 'collapse'],
  ['folded written', 'render'],
  ['graphs rendered', 'upload'],
  ['artifacts uploaded (done)', 'done'],
  ['UI learned done', 'learned'],
  ['catalog answered, recording page opens', 'catalog'],
] as const;
type Point = (typeof STEPS)[number][1] | (typeof AFTER)[number][1];
type Timeline = Record<Point | 'click', number> & { statusAnswers: number };

/** The sidecar's "recording stage" lines for one recording: stage → epoch ms. */
function stageTimes(output: string, id: string): Record<string, number> {
  const times: Record<string, number> = {};
  for (const line of output.split('\n')) {
    if (!line.includes('"recording stage"') || !line.includes(id)) continue;
    // {type: 'stage', stage} as each stage starts, {type: 'artifact'} for the tree, {type: 'done'} at the end.
    const entry = JSON.parse(line.slice(line.indexOf('{'))) as {
      time: string;
      type: string;
      stage?: string;
      id: string;
    };
    const point = entry.stage ?? (entry.type === 'artifact' ? 'tree' : entry.type);
    if (entry.id === id) times[point] = Date.parse(entry.time);
  }
  return times;
}

async function recordAndStop(page: Page, server: LocalServer, program: string, seconds: number) {
  await page.goto(server.keyedUrl());
  await pickedPod(page);
  await page.getByLabel('Until stopped (at most the limit)').check();
  await page.getByLabel('Frequency (Hz)').fill(String(FREQUENCY));
  await page.getByLabel('Process pattern').fill(program);
  await page.getByRole('button', { name: 'Start recording' }).click();
  await page.getByRole('progressbar').waitFor();
  await page.waitForTimeout(seconds * 1000);
  await page.getByRole('button', { name: 'Stop recording' }).click();
  await page.waitForURL(/\/recordings\/[^/?]+$/, { timeout: 120_000 });
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
  const times: PageTimes = await pageTimes(page, 120_000);
  return { id, times };
}

async function oneRun(server: LocalServer, program: string, seconds: number): Promise<Timeline> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await instrument(page);
    const { id, times } = await recordAndStop(page, server, program, seconds);
    const stages = stageTimes(server.process.output(), id);
    const timeline = { ...times } as Timeline;
    for (const stage of ['script', 'tree', 'collapse', 'render', 'upload', 'done'] as const) {
      const at = stages[stage];
      if (at === undefined)
        throw new Error(
          `the sidecar logged no stage ${stage} for ${id}:\n${server.process.output().slice(-3000)}`,
        );
      timeline[stage] = at;
    }
    return timeline;
  } finally {
    await browser.close();
  }
}

/** Wall time of `perf script -i data > /dev/null`, in ms. */
async function timePerfScript(data: string): Promise<number> {
  const start = performance.now();
  await new Promise<void>((done, fail) => {
    const child = spawn('perf', ['script', '-i', data], { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`perf script exited with ${code}`))));
  });
  return performance.now() - start;
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;
const summary = (values: number[]): [number, number] => {
  const sorted = [...values].sort((a, b) => a - b);
  return [median(sorted), percentile(sorted, 90)];
};

function report(timelines: Timeline[], floor: number[]): { lines: string[]; svg: string } {
  const lines = [
    '| step | this step: median | p90 | from the click: median | p90 |',
    '|---|---|---|---|---|',
  ];
  const segments = STEPS.map(([label, point], i) => {
    const previous: Point | 'click' = i === 0 ? 'click' : (STEPS[i - 1]?.[1] ?? 'click');
    const step = summary(timelines.map((t) => t[point] - t[previous]));
    const total = summary(timelines.map((t) => t[point] - t.click));
    lines.push(`| ${label} | ${ms(step[0])} | ${ms(step[1])} | ${ms(total[0])} | ${ms(total[1])} |`);
    return { label, ms: step[0] };
  });
  lines.push('', '| after the first draw | from the click: median | p90 |', '|---|---|---|');
  for (const [label, point] of AFTER) {
    const total = summary(timelines.map((t) => t[point] - t.click));
    lines.push(`| ${label} | ${ms(total[0])} | ${ms(total[1])} |`);
  }
  const [drawMedian, drawP90] = summary(timelines.map((t) => t.firstDraw - t.click));
  const [floorMedian, floorP90] = summary(floor);
  const limit = 1.5 * floorMedian + 300;
  const answers = summary(timelines.map((t) => t.statusAnswers));
  lines.push(
    '',
    `click → first draw: median ${ms(drawMedian)}, p90 ${ms(drawP90)}; runs: ${timelines.map((t) => ms(t.firstDraw - t.click)).join(', ')}`,
    `baseline (same run): perf script > /dev/null of a ${FREQUENCY} Hz recording of the same program: median ${ms(floorMedian)}, p90 ${ms(floorP90)}`,
    `ratio to the 1 s target: ${(drawMedian / TARGET_MS).toFixed(2)} (≤ 1 meets it)`,
    `ratio to 1.5 × perf script + 300 ms (${ms(limit)}): ${(drawMedian / limit).toFixed(2)} (≤ 1 meets it)`,
    `click → first draw / perf script: ${(drawMedian / floorMedian).toFixed(2)}×`,
    `status answers the page had between the click and "done": median ${answers[0]}, p90 ${answers[1]}`,
  );
  const floorSegment = { label: 'perf script alone', ms: floorMedian };
  const svg = stackedBarSvg('Stop → flame graph in the browser (median)', segments, floorSegment, TARGET_MS);
  return { lines, svg };
}

async function baselineData(dir: string, pid: number, seconds: number): Promise<string> {
  const data = join(dir, 'baseline.perf.data');
  const args = ['record', '-e', 'cpu-clock', '-F', String(FREQUENCY), '-g', '-p', String(pid)];
  await run('perf', [...args, '-o', data, '--', 'sleep', String(seconds)]);
  return data;
}

async function body(bench: BenchContext): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  process.stdout.write(`${options.runs} runs, ${options.seconds} s each at ${FREQUENCY} Hz\n`);
  const dir = await workDir(bench.t, 'bench-stop-to-graph');
  const name = `furnace_stop_${process.pid}`;
  const program = await buildHotProgram(dir, [], name);
  const lifetime = options.runs * (options.seconds + 60) + options.seconds + 120;
  const target = startProcess(bench.t, program, [String(lifetime)]);
  // JSON log lines, so that the sidecar's stage lines (with their times) come through as they are.
  const server = await startLocalServer(bench.t, { env: { FURNACE_LOG_FORMAT: 'json' } });
  const data = await baselineData(dir, target.pid, options.seconds);
  const timelines: Timeline[] = [];
  const floor: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const timeline = await oneRun(server, name, options.seconds);
    timelines.push(timeline);
    floor.push(await timePerfScript(data));
    process.stdout.write(
      `run ${i + 1}: click → first draw ${ms(timeline.firstDraw - timeline.click)}, perf script ${ms(floor[i] ?? NaN)}\n`,
    );
  }
  const { lines, svg } = report(timelines, floor);
  await writeFile(SVG_PATH, svg);
  process.stdout.write(`${lines.join('\n')}\nwrote ${SVG_PATH}\n`);
}

await runBench('bench:stop-to-graph', body);
