// `npm run bench:ts-start`: the CPU a fresh Node process spends loading Furnace's TypeScript sources, as the
// tests start servers, recorders and test files (core/typescript-args.ts, test/harness/node-ts.ts): Node stripping the types itself,
// with and without the run's compile cache (NODE_COMPILE_CACHE), against the baseline it replaced, tsx's
// loader, and against the compiled dist/ the images run. Each way imports the same modules ROUNDS times,
// interleaved in a rotating order so that other work falls on all alike; the figure is the process's own CPU
// (user + system, process.cpuUsage) once the imports are done, which load on the machine moves far less than
// a wall time. Judged: stripping with the compile cache against tsx, ≤ 0.6×.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from '../harness/child-processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildDist } from '../process/server-processes.ts';
import { load, machine, median, utcNow } from './machine.ts';

const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 10);
const TARGET = 0.6;

/** What a test's process loads: the server's start and the recorder's controller. */
const MODULES = ['server/modules/start-server', 'sidecar/recording/recording-controller'];

interface Way {
  label: string;
  nodeArgs: string[];
  extension: '.ts' | '.js';
  root: string;
  cache: boolean;
}

const WAYS: Way[] = [
  {
    label: 'tsx (`--import tsx`, the baseline)',
    nodeArgs: ['--import', 'tsx'],
    extension: '.ts',
    root: PROJECT_ROOT,
    cache: false,
  },
  { label: 'Node strips the types', nodeArgs: [], extension: '.ts', root: PROJECT_ROOT, cache: false },
  {
    label: 'Node strips the types, compile cache',
    nodeArgs: [],
    extension: '.ts',
    root: PROJECT_ROOT,
    cache: true,
  },
  {
    label: 'compiled dist/, compile cache (the images)',
    nodeArgs: [],
    extension: '.js',
    root: join(PROJECT_ROOT, 'dist'),
    cache: true,
  },
];
const JUDGED = 2;

/** CPU seconds of one fresh process up to the end of its imports. */
function cpuOnce(way: Way, cacheDir: string): number {
  const imports = MODULES.map((m) => `await import(${JSON.stringify(join(way.root, m + way.extension))});`);
  const script = `${imports.join('')} const u = process.cpuUsage(); console.log((u.user + u.system) / 1e6);`;
  const { NODE_COMPILE_CACHE: _, ...env } = process.env;
  const result = spawnSync(process.execPath, [...way.nodeArgs, '--input-type=module', '-e', script], {
    cwd: PROJECT_ROOT,
    env: way.cache ? { ...env, NODE_COMPILE_CACHE: cacheDir } : env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) throw new Error(`${way.label} failed: ${result.stderr.toString()}`);
  return Number(result.stdout.toString().trim());
}

function main(): void {
  buildDist();
  const cacheDir = mkdtempSync(join(tmpdir(), 'furnace-bench-compile-cache-'));
  try {
    const loadBefore = load();
    for (const way of WAYS) cpuOnce(way, cacheDir); // the file cache, tsx's own cache and the compile cache
    const cpu = WAYS.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < WAYS.length; k++) {
        const i = (round + k) % WAYS.length;
        (cpu[i] as number[]).push(cpuOnce(WAYS[i] as Way, cacheDir));
      }
    }
    const base = median(cpu[0] as number[]);
    const rows = WAYS.map((way, i) => {
      const m = median(cpu[i] as number[]);
      const ratio = m / base;
      const verdict = i === JUDGED ? ` (target ≤ ${TARGET}: ${ratio <= TARGET ? 'met' : 'MISSED'})` : '';
      return `| ${way.label} | ${m.toFixed(2)} s | **${ratio.toFixed(2)}×**${verdict} |`;
    });
    process.stdout.write(
      [
        `machine: ${machine()}`,
        `${utcNow()}, ${ROUNDS} rounds interleaved, load average at start ${loadBefore}, at end ${load()}`,
        `modules: ${MODULES.join(', ')}`,
        '',
        '| way | median CPU of a fresh process (start + imports) | ratio to tsx |',
        '|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

main();
