// `npm run bench:stop`: stop → flame graph for a big recording, step by step. Records 30 s at 999 Hz on
// every core (a C program and a Node program busy, `perf record -a`, as the sidecar records), then
// times: perf record's flush after SIGINT; `perf script` with the sidecar's arguments and with the
// variants that could make it faster (interleaved rounds; wall and CPU time; each variant's folded
// output compared with the sidecar's); the collapse; each artifact's render. As in the sidecar, each perf
// script's process is made ahead (a shell waiting on its stdin, perf-script-launch.ts) and the clock
// starts when it is told to go, as at the stop; one variant is spawned at the stop instead (the bench before). FURNACE_BENCH_SECONDS
// shortens the recording. Inputs go to /tmp/furnace-bench-stop (replaced on each run).
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { encodeFlameTree, writeCompactTree } from '../../core/render/flame-tree-compact.ts';
import { buildFlameTree } from '../../core/render/flame-tree.ts';
import { compactTreeOfTrie } from '../../core/render/flame-tree-trie.ts';
import { renderFlameGraphHtml } from '../../core/render/html.ts';
import { toSpeedscope } from '../../core/render/speedscope.ts';
import { renderFlameGraphSvg } from '../../core/render/svg.ts';
import { collapsePerfScript, collapseRecording } from '../../core/stacks/collapse-perf.ts';
import { formatFolded, totalSamples } from '../../core/stacks/folded.ts';
import { PERF_SCRIPT_FIELDS } from '../../sidecar/profilers/perf/perf-script.ts';
import { flameTreeFile } from '../../sidecar/recording/render-artifacts.ts';
import { launchPerfScript, preparePerfScript } from '../../sidecar/profilers/perf/perf-script-launch.ts';
import { copyWithoutPadding } from '../../sidecar/symbols/kernel-symbols.ts';
import { execFileSync, spawn } from '../harness/child-processes.ts';
import { load, machine, median, utcNow } from './machine.ts';
import { recordMixed } from './mixed-recording.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';
import type { StackTrie } from '../../core/stacks/stack-trie.ts';

const DIR = '/tmp/furnace-bench-stop';
const SECONDS = Number(process.env.FURNACE_BENCH_SECONDS ?? 30);
const ROUNDS = 3;
const MB = 1024 * 1024;

interface Variant {
  label: string;
  /** Arguments after `perf script -i perf.data`. */
  args: string[];
  /** Wrapped in `stdbuf -o SIZE` (larger writes into the pipe). */
  stdbuf?: string;
  /** Spawned from this process when the clock starts, not made ahead and told to go (the sidecar's way). */
  spawnAtStop?: boolean;
  /** Given `--kallsyms` with the recorder's copy of the kernel's symbols (as the sidecar's go() adds it). */
  kallsyms?: boolean;
}

/** The recorder's copy of the kernel's symbols (kernel-symbols.ts), made once before the rounds. */
const KALLSYMS = join(DIR, 'kallsyms');

const VARIANTS: Variant[] = [
  {
    label: `sidecar: made ahead, \`stdbuf -o 64K\`, \`-F ${PERF_SCRIPT_FIELDS}\`, \`--kallsyms\` (the recorder's copy, without \`__pfx_\`)`,
    args: ['-F', PERF_SCRIPT_FIELDS],
    stdbuf: '64K',
    kallsyms: true,
  },
  {
    label:
      'the same spawned at the stop from this process (the bench before: a fork of a large Node process)',
    args: ['-F', PERF_SCRIPT_FIELDS],
    stdbuf: '64K',
    kallsyms: true,
    spawnAtStop: true,
  },
  {
    label: `the sidecar before: \`stdbuf -o 64K\` (writes of a pipe's capacity), \`-F ${PERF_SCRIPT_FIELDS}\`, /proc/kallsyms`,
    args: ['-F', PERF_SCRIPT_FIELDS],
    stdbuf: '64K',
  },
  { label: 'the same without stdbuf (4 KiB writes)', args: ['-F', PERF_SCRIPT_FIELDS] },
  { label: '`stdbuf -o 1M` (the sidecar before)', args: ['-F', PERF_SCRIPT_FIELDS], stdbuf: '1M' },
  { label: '`stdbuf -o 32K`', args: ['-F', PERF_SCRIPT_FIELDS], stdbuf: '32K' },
  { label: 'without `time`', args: ['-F', PERF_SCRIPT_FIELDS.replace(',time', '')], stdbuf: '64K' },
  { label: 'sidecar + `--no-inline`', args: ['-F', PERF_SCRIPT_FIELDS, '--no-inline'], stdbuf: '64K' },
  { label: "perf's default fields (no `-F`)", args: [], stdbuf: '64K' },
];

interface ScriptRun {
  wallMs: number;
  /** perf script streamed into the collapser, then the flame tree the UI draws first, written to disk. */
  toGraphMs: number;
  /** From the end of perf script and the collapse to the tree on disk. */
  treeMs: number;
  /** perf script's user + system CPU time. */
  perfCpuMs: number;
  /** perf script's own wall time (/usr/bin/time, 10 ms steps): past its CPU, it waited (for a core or on its pipe). */
  perfWallMs: number;
  /** This process's CPU time collapsing the stream. */
  collapseCpuMs: number;
  bytes: number;
  folded: string;
  /** Kept of the reference run only: the sidecar's heap holds one recording's stacks, not every round's. */
  stacks?: FoldedStacks;
  trie?: StackTrie;
}

/**
 * perf script streamed into the collapser, as the sidecar runs it (perf-script.ts: the collapser with its
 * timeline, the tree from its trie written before the stacks are joined); perf's CPU time from /usr/bin/time.
 */
async function scriptAndCollapse(variant: Variant): Promise<ScriptRun> {
  const timeFile = join(DIR, 'perf-script.time');
  const perf = ['perf', 'script', '-i', join(DIR, 'perf.data'), ...variant.args];
  const command = {
    command: '/usr/bin/time',
    args: [
      '-f',
      '%U %S %e',
      '-o',
      timeFile,
      ...(variant.stdbuf ? ['stdbuf', '-o', variant.stdbuf] : []),
      ...perf,
    ],
  };
  const kallsyms = variant.kallsyms ? KALLSYMS : undefined;
  const prepared = variant.spawnAtStop ? undefined : preparePerfScript(spawn, command);
  // The sidecar's waiting shell has waited through the recording: let this one get there first.
  if (prepared) await new Promise((resolve) => setTimeout(resolve, 300));
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { child, exited } = prepared?.go(kallsyms) ?? launchPerfScript(spawn, command, kallsyms);
  if (child.stdout === null) throw new Error('perf script has no stdout');
  const stdout = child.stdout;
  let bytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of stdout) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  // The sidecar's size hint: perf script's text is about 3 times perf.data.
  const expectedBytes = 3 * statSync(join(DIR, 'perf.data')).size;
  const [collapser] = await Promise.all([collapseRecording(counted(), expectedBytes), exited]);
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  // The rest of stop → flame graph: the compact tree the UI draws first, from the collapser's trie.
  const trie = collapser.endTrie();
  writeFileSync(join(DIR, 'flame-tree.bin.gz'), flameTreeFile(compactTreeOfTrie(trie)));
  const toGraphMs = performance.now() - t;
  const stacks = trie.folded();
  const [user, system, elapsed] =
    readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  return {
    wallMs,
    toGraphMs,
    treeMs: toGraphMs - wallMs,
    perfCpuMs: ((user ?? NaN) + (system ?? NaN)) * 1000,
    perfWallMs: (elapsed ?? NaN) * 1000,
    collapseCpuMs: (used.user + used.system) / 1000,
    bytes,
    folded: formatFolded(stacks),
    stacks,
    trie,
  };
}

/** Each artifact the sidecar writes, timed alone (median of ROUNDS). */
function renderTimes(stacks: FoldedStacks, trie: StackTrie): { name: string; ms: number; bytes: number }[] {
  const artifacts: [string, () => string | Buffer][] = [
    ['flame-tree.bin.gz from the stack trie (perf)', () => flameTreeFile(compactTreeOfTrie(trie))],
    [
      'flame-tree.bin.gz from folded stacks (other profilers; perf before)',
      () => flameTreeFile(encodeFlameTree(buildFlameTree(stacks))),
    ],
    [
      'flame-tree.bin.gz as before: from folded stacks, gzip level 6',
      () => gzipSync(writeCompactTree(encodeFlameTree(buildFlameTree(stacks))), { level: 6 }),
    ],
    ['stacks.folded', () => formatFolded(stacks)],
    ['flamegraph.svg', () => renderFlameGraphSvg(stacks, { title: 'bench' })],
    ['flamegraph.html', () => renderFlameGraphHtml(stacks, { title: 'bench' })],
    ['speedscope.json', () => JSON.stringify(toSpeedscope(stacks, { name: 'bench' }))],
  ];
  return artifacts.map(([name, render]) => {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      bytes = Buffer.byteLength(render());
      times.push(performance.now() - t);
    }
    return { name, ms: median(times), bytes };
  });
}

/** The collapse alone, from the sidecar variant's text on disk (1 MiB reads), median of ROUNDS. */
async function collapseAlone(): Promise<{ ms: number; bytes: number }> {
  const file = join(DIR, 'perf.script');
  execFileSync('sh', ['-c', `perf script -i perf.data -F ${PERF_SCRIPT_FIELDS} > perf.script`], { cwd: DIR });
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await collapsePerfScript(createReadStream(file, { highWaterMark: MB }));
    times.push(performance.now() - t);
  }
  return { ms: median(times), bytes: statSync(file).size };
}

async function main(): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const loadBefore = load();
  const when = utcNow();
  const recording = await recordMixed(DIR, SECONDS);
  await copyWithoutPadding('/proc/kallsyms', KALLSYMS);
  const runs = VARIANTS.map(() => [] as ScriptRun[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const i = (round + k) % VARIANTS.length;
      const result = await scriptAndCollapse(VARIANTS[i] as Variant);
      if (i !== 0 || round !== 0) {
        delete result.stacks;
        delete result.trie;
      }
      (runs[i] as ScriptRun[]).push(result);
    }
  }
  const reference = runs[0]?.[0] as ScriptRun & { stacks: FoldedStacks; trie: StackTrie };
  // Against the sidecar's variant of the same round: a system-wide recording also samples other
  // programs, and those whose binaries were deleted since resolve differently in a later round.
  const rows = VARIANTS.map((variant, i) => {
    const r = runs[i] as ScriptRun[];
    const differing = r.filter((run, round) => run.folded !== runs[0]?.[round]?.folded).length;
    const same = differing === 0 ? 'identical' : `**differs** in ${differing} of ${r.length} rounds`;
    const mbps = r[0] ? r[0].bytes / MB : 0;
    const toGraph = median(r.map((x) => x.toGraphMs));
    const tree = median(r.map((x) => x.treeMs));
    const perfCpu = median(r.map((x) => x.perfCpuMs));
    return (
      `| ${variant.label} | ${mbps.toFixed(1)} MB | ${median(r.map((x) => x.wallMs)).toFixed(0)} ms | ` +
      `${toGraph.toFixed(0)} ms (**${(toGraph / perfCpu).toFixed(2)}×** perf script CPU; the tree ${tree.toFixed(0)} ms) | ` +
      `${median(r.map((x) => x.perfCpuMs)).toFixed(0)} ms | ${median(r.map((x) => x.perfWallMs)).toFixed(0)} ms | ` +
      `${median(r.map((x) => x.toGraphMs - x.perfWallMs)).toFixed(0)} ms | ${median(r.map((x) => x.collapseCpuMs)).toFixed(0)} ms | ${same} |`
    );
  });
  const alone = await collapseAlone();
  const renders = renderTimes(reference.stacks, reference.trie);
  const f = (n: number, d = 0): string => n.toFixed(d);
  process.stdout.write(
    [
      `machine: ${machine(true)}`,
      `${when}; load average at start ${loadBefore}, at end ${load()}`,
      `recording: ${SECONDS} s, perf record -e cpu-clock -F 999 -g -a --buildid-mmap, ${f(recording.bytes / MB, 1)} MB perf.data, ` +
        `${totalSamples(reference.stacks)} samples, ${reference.stacks.size} unique stacks`,
      '',
      '| step | figure |',
      '|---|---|',
      `| perf record flush (SIGINT → exit) | ${f(recording.flushMs)} ms |`,
      `| collapse alone, ${f(alone.bytes / MB, 1)} MB of perf script text from disk (median of ${ROUNDS}) | ${f(alone.ms)} ms (${f(alone.bytes / MB / (alone.ms / 1000))} MB/s) |`,
      ...renders.map((r) => `| render ${r.name} (${f(r.bytes / 1024)} KiB) | ${f(r.ms, 1)} ms |`),
      '',
      `perf script streamed into the collapser, as the sidecar runs it (medians of ${ROUNDS} interleaved rounds):`,
      '',
      '| perf script variant | text | wall (script + collapse) | script → flame-tree.bin.gz written (stop → graph after the flush; target ≤ 1.1× perf script CPU) | perf script CPU | perf script wall (past its CPU: waiting for a core or on its pipe) | to the graph less perf script’s wall (exec, the collapser’s tail, the tree) | collapser CPU | folded output vs sidecar |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

await main();
