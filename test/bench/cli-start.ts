// `npm run bench:cli`: how long the installed `furnace` takes to start, against a bare `node -e 0` on
// the same machine in the same run. Builds dist/ first (the installed command is dist/cli/furnace.js,
// package.json "bin"), then runs each command ROUNDS times, interleaved and in a rotating order so that
// load from other work falls on all alike, and prints medians and the ratio to `node -e 0`.
// Also times the checkout launcher (`node cli/bin.js`, through tsx) for comparison.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from '../harness/child-processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildDist } from '../process/server-processes.ts';
import { load, machine, median, utcNow } from './machine.ts';

const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 40);
const INSTALLED = join(PROJECT_ROOT, 'dist', 'cli', 'furnace.js');
const CHECKOUT = join(PROJECT_ROOT, 'cli', 'bin.js');

interface Command {
  label: string;
  args: string[];
  /** Compared with the target (2.5× node -e 0). */
  target?: boolean;
}

const COMMANDS: Command[] = [
  { label: '`node -e 0` (baseline)', args: ['-e', '0'] },
  { label: '`furnace --help` (installed: dist/cli/furnace.js)', args: [INSTALLED, '--help'], target: true },
  { label: '`furnace record --help` (installed)', args: [INSTALLED, 'record', '--help'] },
  { label: '`furnace collapse-perf --help` (installed)', args: [INSTALLED, 'collapse-perf', '--help'] },
  { label: '`node cli/bin.js --help` (checkout, through tsx)', args: [CHECKOUT, '--help'] },
];

/** Wall time of one run, from spawn to exit, in ms; throws when the command fails. */
function timeOnce(args: string[]): number {
  const t = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return ms;
}

function main(): void {
  buildDist();
  const loadBefore = load();
  const times = COMMANDS.map(() => [] as number[]);
  for (const command of COMMANDS) timeOnce(command.args); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < COMMANDS.length; k++) {
      const i = (round + k) % COMMANDS.length;
      (times[i] as number[]).push(timeOnce((COMMANDS[i] as Command).args));
    }
  }
  const base = median(times[0] as number[]);
  const rows = COMMANDS.map((command, i) => {
    const m = median(times[i] as number[]);
    const ratio = i === 0 ? '1.00' : (m / base).toFixed(2);
    const verdict = command.target
      ? m / base <= 2.5
        ? ' (target ≤ 2.5: met)'
        : ' (target ≤ 2.5: MISSED)'
      : '';
    return `| ${command.label} | ${m.toFixed(1)} ms | **${ratio}×**${verdict} |`;
  });
  process.stdout.write(
    [
      `machine: ${machine()}`,
      `${utcNow()}, ${ROUNDS} rounds interleaved, load average at start ${loadBefore}, at end ${load()}`,
      '',
      '| command | median wall time (spawn → exit) | ratio to `node -e 0` |',
      '|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main();
