// `npm run bench:collapse`: `furnace collapse-perf` as a user runs it (the installed, compiled command,
// a whole process reading perf script text on stdin) on ≥ 100 MB of a real mixed recording (C with
// kernel frames, Node with --perf-basic-prof JIT frames; see mixed-recording.ts), against perf's own
// collapser `perf script report stackcollapse` (a whole process reading the same recording's perf.data)
// in the same run, interleaved rounds, and against FlameGraph's stackcollapse-perf.pl when
// FURNACE_STACKCOLLAPSE_PL names a copy of it (it is another project's code, not kept here; see
// docs/flamegraph.md). Then it also checks that both print the same folded text. The recording is
// cached in DIR.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseFolded } from '../../core/stacks/folded.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildDist } from '../process/server-processes.ts';
import { load, machine, median, utcNow } from './machine.ts';
import { recordMixed } from './mixed-recording.ts';

const DIR = '/tmp/furnace-bench-collapse';
const TARGET_BYTES = 100 * 1024 * 1024;
const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 5);
const MB = 1024 * 1024;
const FURNACE = join(PROJECT_ROOT, 'dist', 'cli', 'furnace.js');
const PERL_SCRIPT = process.env.FURNACE_STACKCOLLAPSE_PL;

/** The recording (made once, then cached) and its perf script text, repeated to ≥ 100 MB when shorter. */
async function prepare(): Promise<{ data: string; script: string; big: string }> {
  mkdirSync(DIR, { recursive: true });
  const data = join(DIR, 'perf.data');
  const script = join(DIR, 'one.perf-script');
  const big = join(DIR, 'big.perf-script');
  if (!existsSync(script)) {
    await recordMixed(DIR, 30);
    execFileSync('sh', ['-c', 'perf script -i perf.data > one.perf-script'], { cwd: DIR, stdio: 'ignore' });
  }
  if (!existsSync(big) || statSync(big).size < TARGET_BYTES) {
    const text = readFileSync(script);
    writeFileSync(
      big,
      Buffer.concat(Array.from({ length: Math.ceil(TARGET_BYTES / text.length) }, () => text)),
    );
  }
  return { data, script, big };
}

/** Wall time of one whole process, stdin from a file and stdout to /dev/null (or to `output`). */
function timeProcess(command: string, args: string[], input?: string, output?: string): number {
  const stdin = input === undefined ? 'ignore' : openSync(input, 'r');
  const stdout = openSync(output ?? '/dev/null', 'w');
  try {
    const t = performance.now();
    const result = spawnSync(command, args, { cwd: DIR, stdio: [stdin, stdout, 'pipe'], maxBuffer: 64 * MB });
    const ms = performance.now() - t;
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString()}`);
    return ms;
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
    closeSync(stdout);
  }
}

interface Contender {
  label: string;
  /** Megabytes of perf script text it handles per run. */
  megabytes: number;
  run: () => number;
}

function perlVersion(): string {
  return execFileSync('perl', ['-e', 'print $^V'], { encoding: 'utf8' });
}

/**
 * When the two outputs name the same stacks and every count differs by one factor: FlameGraph's script
 * before it weighed samples by their period (`1001001 cpu-clock:`) counts each sample once.
 */
function scaledNote(ours: Map<string, number>, perlText: Buffer): string {
  const perl = parseFolded(perlText.toString('utf8'));
  if (perl.size !== ours.size) return '';
  let factor: number | undefined;
  for (const [stack, count] of perl) {
    const ratio = (ours.get(stack) ?? NaN) / count;
    factor ??= ratio;
    if (ratio !== factor) return '';
  }
  return ` only in the counts, each ×${factor}: this copy of the perl script counts samples, not their period (an older FlameGraph)`;
}

async function main(): Promise<void> {
  buildDist();
  const { script, big } = await prepare();
  const oneMb = statSync(script).size / MB;
  const bigMb = statSync(big).size / MB;
  const loadBefore = load();
  const when = utcNow();
  const contenders: Contender[] = [
    {
      label: '`furnace collapse-perf < text` (installed, compiled)',
      megabytes: bigMb,
      run: () => timeProcess(process.execPath, [FURNACE, 'collapse-perf'], big),
    },
    {
      label: '`furnace collapse-perf --threads 1 < text` (one thread)',
      megabytes: bigMb,
      run: () => timeProcess(process.execPath, [FURNACE, 'collapse-perf', '--threads', '1'], big),
    },
    {
      label: "`perf script report stackcollapse` (perf's collapser, reads perf.data)",
      megabytes: oneMb,
      run: () => timeProcess('perf', ['script', '-i', 'perf.data', 'report', 'stackcollapse']),
    },
    {
      label: '`perf script -i perf.data | furnace collapse-perf` (whole pipeline)',
      megabytes: oneMb,
      run: () =>
        timeProcess('sh', [
          '-c',
          `perf script -i perf.data | "${process.execPath}" "${FURNACE}" collapse-perf`,
        ]),
    },
    {
      label: '`perf script -i perf.data` alone (text to /dev/null)',
      megabytes: oneMb,
      run: () => timeProcess('perf', ['script', '-i', 'perf.data']),
    },
  ];
  if (PERL_SCRIPT !== undefined) {
    contenders.push({
      label: '`stackcollapse-perf.pl < text` (FlameGraph, perl ' + perlVersion() + ')',
      megabytes: bigMb,
      run: () => timeProcess('perl', [PERL_SCRIPT], big),
    });
  }
  const times = contenders.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (round + k) % contenders.length;
      (times[i] as number[]).push((contenders[i] as Contender).run());
    }
  }
  const rates = contenders.map((c, i) => c.megabytes / (median(times[i] as number[]) / 1000));
  const perfRate = rates[2] ?? NaN;
  timeProcess(process.execPath, [FURNACE, 'collapse-perf'], script, join(DIR, 'furnace.folded'));
  timeProcess(
    'perf',
    ['script', '-i', 'perf.data', 'report', 'stackcollapse'],
    undefined,
    join(DIR, 'perf.folded'),
  );
  const ours = parseFolded(readFileSync(join(DIR, 'furnace.folded'), 'utf8'));
  const perfs = parseFolded(readFileSync(join(DIR, 'perf.folded'), 'utf8'));
  const shared = [...ours.keys()].filter((k) => perfs.has(k)).length;
  let perlLine = 'stackcollapse-perf.pl: not measured (set FURNACE_STACKCOLLAPSE_PL to a copy of it)';
  if (PERL_SCRIPT !== undefined) {
    timeProcess('perl', [PERL_SCRIPT], script, join(DIR, 'perl.folded'));
    const perlText = readFileSync(join(DIR, 'perl.folded'));
    const same = perlText.equals(readFileSync(join(DIR, 'furnace.folded')));
    const perlRate = rates[rates.length - 1] ?? NaN;
    perlLine =
      `vs stackcollapse-perf.pl: furnace collapse-perf **${((rates[0] ?? NaN) / perlRate).toFixed(1)}×** ` +
      `(${(rates[0] ?? NaN).toFixed(1)} against ${perlRate.toFixed(1)} MB/s), one thread ` +
      `${((rates[1] ?? NaN) / perlRate).toFixed(1)}×; ` +
      `folded output ${same ? 'byte for byte identical' : `DIFFERENT${scaledNote(ours, perlText)}`}`;
  }
  const rows = contenders.map(
    (c, i) =>
      `| ${c.label} | ${c.megabytes.toFixed(1)} MB | ${median(times[i] as number[]).toFixed(0)} ms | ` +
      `${(rates[i] ?? NaN).toFixed(1)} MB/s | **${((rates[i] ?? NaN) / perfRate).toFixed(1)}×** |`,
  );
  process.stdout.write(
    [
      `machine: ${machine(true)}`,
      `${when}; ${ROUNDS} rounds interleaved; load average at start ${loadBefore}, at end ${load()}`,
      `input: ${oneMb.toFixed(1)} MB of perf script text (30 s, -a, 999 Hz; C + Node --perf-basic-prof + kernel), ` +
        `repeated to ${bigMb.toFixed(1)} MB for the text readers; rates per MB of text (perf's collapser: of the recording's text)`,
      '',
      '| whole process | text | median wall | rate | vs perf script report stackcollapse |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `folded stacks: Furnace ${ours.size}, perf's collapser ${perfs.size}, identical keys ${shared}`,
      perlLine,
      '',
    ].join('\n'),
  );
}

await main();
