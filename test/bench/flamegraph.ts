// `npm run bench:flamegraph`: throughput of perf-script → folded and folded → SVG on ≥ 100 MB made
// from a real recording, against perf's own `perf script report stackcollapse` in the same run, and
// the time from stop to a finished flame graph for 60 s × 99 Hz × 2 CPUs of samples.
// Inputs are cached under /tmp; the whole run is bounded (see BUDGET_MS). `--write` also updates
// docs/benchmarks-flamegraph.md.
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderFlameGraphHtml } from '../../core/render/html.ts';
import { toSpeedscope } from '../../core/render/speedscope.ts';
import { renderFlameGraphSvg } from '../../core/render/svg.ts';
import { collapsePerfScript, StackCollapser } from '../../core/stacks/collapse-perf.ts';
import { execFileSync, spawn } from '../harness/child-processes.ts';
import { C_WORKLOAD_FUNCTIONS } from './c-workload.ts';
import { formatFolded, parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';

const DIR = '/tmp/furnace-bench-flamegraph';
const TARGET_BYTES = 100 * 1024 * 1024;
const STOP_SAMPLES = 60 * 99 * 2;
const BUDGET_MS = 170_000;
const MB = 1024 * 1024;
const started = performance.now();

const WORKLOAD = `${C_WORKLOAD_FUNCTIONS}__attribute__((noinline)) void render_output(int fd) { write_out(fd, 400); hash_block(200000); }
int main(int argc, char **argv) {
  unsigned long rounds = argc > 1 ? strtoul(argv[1], 0, 10) : 50;
  int fd = open("/dev/null", O_WRONLY);
  for (unsigned long r = 0; r < rounds; r++) { parse_input(300000); render_output(fd); }
  return 0;
}
`;

function checkBudget(step: string): void {
  const spent = performance.now() - started;
  if (spent > BUDGET_MS)
    throw new Error(`benchmark over its time budget before ${step} (${(spent / 1000).toFixed(0)} s)`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; stdout?: string } = {}): number {
  checkBudget(cmd);
  const t = performance.now();
  const out = execFileSync(cmd, args, {
    cwd: opts.cwd ?? DIR,
    stdio: ['ignore', opts.stdout === undefined ? 'ignore' : 'pipe', 'pipe'],
    maxBuffer: 512 * MB,
    timeout: 60_000,
  });
  if (opts.stdout !== undefined) writeFileSync(opts.stdout, out);
  return performance.now() - t;
}

/** A real recording of a busy C program, its perf script, and that script repeated to ≥ 100 MB. */
function prepareInputs(): { script: string; big: string } {
  mkdirSync(DIR, { recursive: true });
  const data = join(DIR, 'perf.data');
  const script = join(DIR, 'base.perf-script');
  const big = join(DIR, 'big.perf-script');
  if (!existsSync(data) || !existsSync(script)) {
    writeFileSync(join(DIR, 'workload.c'), WORKLOAD);
    run('gcc', ['-O0', '-fno-omit-frame-pointer', '-g', '-o', 'workload', 'workload.c']);
    run('perf', [
      'record',
      '-q',
      '-e',
      'cpu-clock',
      '-F',
      '10000',
      '-g',
      '-o',
      data,
      '--',
      './workload',
      '150',
    ]);
    run('perf', ['script', '-i', data], { stdout: script });
  }
  if (!existsSync(big) || statSync(big).size < TARGET_BYTES) {
    const text = readFileSync(script);
    const copies = Math.ceil(TARGET_BYTES / text.length);
    writeFileSync(big, Buffer.concat(Array.from({ length: copies }, () => text)));
  }
  return { script, big };
}

async function collapseFile(path: string): Promise<{ ms: number; stacks: FoldedStacks }> {
  const t = performance.now();
  const stacks = await collapsePerfScript(createReadStream(path, { highWaterMark: MB }));
  return { ms: performance.now() - t, stacks };
}

/** A larger folded input for the renderer: the real stacks under 500 process names. */
function widenFolded(stacks: FoldedStacks): string {
  const lines: string[] = [];
  for (let p = 0; p < 500; p++)
    for (const [stack, n] of stacks) lines.push(`${stack.replace(/^[^;]*/, `worker-${p}`)} ${n}`);
  return lines.join('\n') + '\n';
}

/** The first `count` samples of a perf script text. */
function firstSamples(text: string, count: number): string {
  let at = 0;
  for (let i = 0; i < count; i++) {
    const next = text.indexOf('\n\n', at);
    if (next === -1) break;
    at = next + 2;
  }
  return text.slice(0, at);
}

/** Stop → finished flame graph: perf script streamed into the collapser, then every artifact. */
interface StopTimes {
  samples: number;
  scriptAndCollapse: number;
  svg: number;
  others: number;
  total: number;
}

async function stopToGraph(cwd: string, percent: number): Promise<StopTimes> {
  const t0 = performance.now();
  const child = spawn('perf', ['script', '-i', 'perf.data', '--time', `0%-${percent.toFixed(1)}%`], {
    cwd,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const collapser = new StackCollapser();
  let samples = 0;
  let last = 0;
  for await (const chunk of child.stdout) {
    const bytes = chunk as Buffer;
    collapser.push(bytes);
    // Samples end with a blank line: count "\n\n", also when a chunk boundary splits it.
    if (last === 10 && bytes[0] === 10) samples++;
    for (let at = bytes.indexOf('\n\n'); at !== -1; at = bytes.indexOf('\n\n', at + 2)) samples++;
    last = bytes[bytes.length - 1] ?? 0;
  }
  const stacks = collapser.end();
  const t1 = performance.now();
  const svg = renderFlameGraphSvg(stacks, { title: 'bench' });
  const t2 = performance.now();
  const html = renderFlameGraphHtml(stacks, { title: 'bench' });
  const speedscope = JSON.stringify(toSpeedscope(stacks, { name: 'bench' }));
  const folded = formatFolded(stacks);
  const t3 = performance.now();
  if (svg.length + html.length + speedscope.length + folded.length === 0) throw new Error('no output');
  return { samples, scriptAndCollapse: t1 - t0, svg: t2 - t1, others: t3 - t2, total: t3 - t0 };
}

function machine(): string {
  const cpu = cpus();
  const perf = execFileSync('perf', ['--version']).toString().trim();
  return `${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, Linux ${release()}, Node ${process.version}, ${perf}`;
}

async function main(): Promise<void> {
  const { script, big } = prepareInputs();
  const baseBytes = statSync(script).size;
  const bigBytes = statSync(big).size;
  const baseText = readFileSync(script, 'utf8');

  // perf's own collapser reads perf.data (it cannot read text): its rate is per byte of the
  // equivalent perf script text. perf script alone is timed too, since our pipeline needs it.
  // Rounds alternate the tools so that load from other work on the machine hits both alike.
  checkBudget('collapse');
  await collapseFile(script); // warm-up
  let perfCollapseMs = Infinity;
  let perfScriptMs = Infinity;
  let best = { ms: Infinity, stacks: new Map() as FoldedStacks };
  for (let i = 0; i < 5; i++) {
    perfCollapseMs = Math.min(perfCollapseMs, run('perf', ['script', 'report', 'stackcollapse']));
    const ours = await collapseFile(big);
    if (ours.ms < best.ms) best = ours;
    perfScriptMs = Math.min(perfScriptMs, run('perf', ['script', '-i', 'perf.data']));
  }
  const perfFolded = execFileSync('perf', ['script', 'report', 'stackcollapse'], {
    cwd: DIR,
    maxBuffer: 64 * MB,
  }).toString();
  const ours = (await collapseFile(script)).stacks;
  const sameStacks =
    [...parseFolded(perfFolded).keys()].sort().join('\n') === [...ours.keys()].sort().join('\n');

  checkBudget('render');
  const wide = widenFolded(ours);
  let renderMs = Infinity;
  let frames = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const svg = renderFlameGraphSvg(parseFolded(wide));
    renderMs = Math.min(renderMs, performance.now() - t);
    frames = (svg.match(/<g><title>/g) ?? []).length;
  }

  checkBudget('stop to graph');
  const baseSamples = (baseText.match(/\n\n/g) ?? []).length;
  let percent = Math.min(100, (100 * STOP_SAMPLES) / baseSamples);
  let stop = await stopToGraph(DIR, percent);
  // --time selects by time, not by count: correct once toward the wanted number of samples.
  percent = Math.min(100, (percent * STOP_SAMPLES) / Math.max(1, stop.samples));
  stop = await stopToGraph(DIR, percent);
  const memo = firstSamples(baseText, STOP_SAMPLES);
  const t = performance.now();
  const collapser = new StackCollapser();
  for (let i = 0; i < memo.length; i += 65536) collapser.push(memo.slice(i, i + 65536));
  const inMemory = collapser.end();
  renderFlameGraphSvg(inMemory);
  const collapseRenderOnly = performance.now() - t;

  const oursRate = bigBytes / MB / (best.ms / 1000);
  const perfRate = baseBytes / MB / (perfCollapseMs / 1000);
  const perfScriptRate = baseBytes / MB / (perfScriptMs / 1000);
  const pipelineRate = 1 / (1 / perfScriptRate + 1 / oursRate);
  const foldedRate = wide.length / MB / (renderMs / 1000);
  const f = (n: number, d = 1) => n.toFixed(d);
  const report = `| measure | figure |
|---|---|
| machine | ${machine()} |
| input | ${f(bigBytes / MB)} MB perf script (${f(baseBytes / MB)} MB of a real \`perf record -g -F 10000\` of a C program, ${baseSamples} samples, repeated) |
| perf-script → folded, Furnace (\`collapsePerfScript\`, 1 MiB reads, best of 5) | **${f(oursRate)} MB/s** (${f(best.ms)} ms, ${best.stacks.size} unique stacks, summed period ${f(totalSamples(best.stacks) / 1e9)} s of cpu-clock) |
| perf.data → folded, \`perf script report stackcollapse\` (best of 5) | ${f(perfRate)} MB/s of equivalent script text (${f(perfCollapseMs)} ms for ${f(baseBytes / MB)} MB) |
| **ratio Furnace / perf's collapser** | **${f(oursRate / perfRate)}×** |
| perf.data → text, \`perf script\` alone (best of 5) | ${f(perfScriptRate)} MB/s |
| whole pipeline perf script + Furnace collapse, sequential | ${f(pipelineRate)} MB/s (${f(pipelineRate / perfRate)}× perf's collapser) |
| same stacks as perf's collapser | ${sameStacks ? 'yes' : 'NO'} |
| folded → SVG (parse + tree + layout + SVG, best of 3) | ${f(foldedRate)} MB/s (${f(wide.length / MB)} MB folded, ${f(renderMs)} ms, ${frames} frames drawn at minwidth 0.1 px) |
| stop → flame graph, ${stop.samples} samples (target ${STOP_SAMPLES} = 60 s × 99 Hz × 2 CPUs) | **${f(stop.total)} ms**: perf script streamed into the collapser ${f(stop.scriptAndCollapse)} ms, SVG ${f(stop.svg)} ms, HTML + speedscope + folded ${f(stop.others)} ms |
| collapse + SVG only, ${STOP_SAMPLES} samples already in memory | ${f(collapseRenderOnly)} ms |
| whole benchmark run | ${f((performance.now() - started) / 1000)} s |
`;
  process.stdout.write(report);
  const targets = `targets: ≥ 5× perf's collapser: ${oursRate / perfRate >= 5 ? 'met' : 'MISSED'}; stop → graph ≤ 1 s: ${stop.total <= 1000 ? 'met' : 'MISSED'}\n`;
  process.stdout.write(targets);
  if (process.argv.includes('--write')) {
    const doc = join(import.meta.dirname, '..', '..', 'docs', 'benchmarks-flamegraph.md');
    const head = readFileSync(doc, 'utf8').split('<!-- figures -->')[0] ?? '';
    writeFileSync(doc, `${head}<!-- figures -->\n${report}\n${targets}`);
  }
}

await main();
