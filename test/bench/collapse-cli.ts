// `npm run bench:collapse`: `furnace collapse-perf` as a user runs it (the installed, compiled command,
// a whole process reading perf script text on stdin) on ≥ 100 MB of a real mixed recording (C with
// kernel frames, Node with --perf-basic-prof JIT frames; see mixed-recording.ts), against perf's own
// collapser `perf script report stackcollapse` (a whole process reading the same recording's perf.data)
// in the same run, interleaved rounds, and against FlameGraph's stackcollapse-perf.pl when
// FURNACE_STACKCOLLAPSE_PL names a copy of it (it is another project's code, not kept here; see
// docs/flamegraph.md), or several copies separated by ':'. Then it also checks that Furnace and the first
// copy print the same folded text. Each process's wall and CPU time (all its threads) is printed. The
// recording is cached in DIR.
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseFolded } from '../../core/stacks/folded.ts';
import { execFileSync, spawnSync } from '../harness/child-processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildDist } from '../process/server-processes.ts';
import { load, machine, median, utcNow } from './machine.ts';
import { recordMixed } from './mixed-recording.ts';

const DIR = '/tmp/furnace-bench-collapse';
const TARGET_BYTES = 100 * 1024 * 1024;
const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 5);
const MB = 1024 * 1024;
const FURNACE = join(PROJECT_ROOT, 'dist', 'cli', 'furnace.js');
// One copy of the perl script, or several separated by ':' (an older and a newer FlameGraph, say): each
// is timed; the first is the one the ratio and the byte-for-byte check are against.
const PERL_SCRIPTS = (process.env.FURNACE_STACKCOLLAPSE_PL ?? '').split(':').filter((p) => p !== '');
const PERL_SCRIPT = PERL_SCRIPTS[0];

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

/**
 * User + system CPU of this process's waited-for children so far (cutime + cstime of /proc/self/stat), in
 * ms: a child's whole CPU, every thread, once spawnSync has waited for it. Clock ticks of 10 ms.
 */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall and CPU time of one whole process, stdin from a file and stdout to /dev/null (or to `output`). */
function timeProcess(
  command: string,
  args: string[],
  input?: string,
  output?: string,
): { wall: number; cpu: number } {
  const stdin = input === undefined ? 'ignore' : openSync(input, 'r');
  const stdout = openSync(output ?? '/dev/null', 'w');
  try {
    const cpu = childrenCpuMs();
    const t = performance.now();
    const result = spawnSync(command, args, { cwd: DIR, stdio: [stdin, stdout, 'pipe'], maxBuffer: 64 * MB });
    const wall = performance.now() - t;
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString()}`);
    return { wall, cpu: childrenCpuMs() - cpu };
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
    closeSync(stdout);
  }
}

interface Contender {
  label: string;
  /** Megabytes of perf script text it handles per run. */
  megabytes: number;
  run: () => { wall: number; cpu: number };
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
      label: '`furnace collapse-perf < text` (installed, compiled; the default: one pass, one thread)',
      megabytes: bigMb,
      run: () => timeProcess(process.execPath, [FURNACE, 'collapse-perf'], big),
    },
    {
      label: '`furnace collapse-perf --threads 2 < text` (the two-thread pipeline)',
      megabytes: bigMb,
      run: () => timeProcess(process.execPath, [FURNACE, 'collapse-perf', '--threads', '2'], big),
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
  const firstPerl = contenders.length;
  for (const script of PERL_SCRIPTS) {
    contenders.push({
      label: `\`${basename(script)} < text\` (FlameGraph, perl ${perlVersion()}, ${statSync(script).size} bytes)`,
      megabytes: bigMb,
      run: () => timeProcess('perl', [script], big),
    });
  }
  const times = contenders.map(() => [] as number[]);
  const cpus = contenders.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (round + k) % contenders.length;
      const { wall, cpu } = (contenders[i] as Contender).run();
      (times[i] as number[]).push(wall);
      (cpus[i] as number[]).push(cpu);
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
    const perlRate = rates[firstPerl] ?? NaN;
    const cpu = (i: number): number => median(cpus[i] as number[]);
    perlLine =
      `vs ${basename(PERL_SCRIPT)}: furnace collapse-perf **${((rates[0] ?? NaN) / perlRate).toFixed(1)}×** ` +
      `(${(rates[0] ?? NaN).toFixed(1)} against ${perlRate.toFixed(1)} MB/s), two threads ` +
      `${((rates[1] ?? NaN) / perlRate).toFixed(1)}×; in CPU time ${(cpu(firstPerl) / cpu(0)).toFixed(1)}× ` +
      `(two threads ${(cpu(firstPerl) / cpu(1)).toFixed(1)}×); ` +
      PERL_SCRIPTS.slice(1)
        .map(
          (other, k) =>
            `vs ${basename(other)} ${((rates[0] ?? NaN) / (rates[firstPerl + 1 + k] ?? NaN)).toFixed(1)}×; `,
        )
        .join('') +
      `folded output ${same ? 'byte for byte identical' : `DIFFERENT${scaledNote(ours, perlText)}`}`;
  }
  const rows = contenders.map(
    (c, i) =>
      `| ${c.label} | ${c.megabytes.toFixed(1)} MB | ${median(times[i] as number[]).toFixed(0)} ms | ` +
      `${median(cpus[i] as number[]).toFixed(0)} ms | ` +
      `${(rates[i] ?? NaN).toFixed(1)} MB/s | **${((rates[i] ?? NaN) / perfRate).toFixed(1)}×** |`,
  );
  process.stdout.write(
    [
      `machine: ${machine(true)}`,
      `${when}; ${ROUNDS} rounds interleaved; load average at start ${loadBefore}, at end ${load()}`,
      `input: ${oneMb.toFixed(1)} MB of perf script text (30 s, -a, 999 Hz; C + Node --perf-basic-prof + kernel), ` +
        `repeated to ${bigMb.toFixed(1)} MB for the text readers; rates per MB of text (perf's collapser: of the recording's text)`,
      '',
      '| whole process | text | median wall | median CPU (user + system, all threads) | rate | vs perf script report stackcollapse |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
      `folded stacks: Furnace ${ours.size}, perf's collapser ${perfs.size}, identical keys ${shared}`,
      perlLine,
      '',
    ].join('\n'),
  );
}

await main();
