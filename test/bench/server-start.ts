// `npm run bench:server-start`: the CPU (user + system) a local server (`server/main.ts --local`, no
// recorder) spends from exec to the line that says it listens, with a warm compile cache, as the tests and
// `npm start` start it many times a day. Against the baseline of the same server made to load at its start
// what it loaded there before it loaded them on first use (`--import` of each): the bucket's stores (the
// AWS SDK), the export writers (protobuf and the generated schemas) and the OTLP answer's schema. Rounds
// interleave the two ways; the figure is read from /proc, which load moves far less than a wall time.
// Judged: ≤ 0.92× the baseline (which leaves out the answer contracts' compile, so understates the saving).
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from '../harness/child-processes.ts';
import { freePort } from '../harness/ports.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';
import { load, machine, median, utcNow } from './machine.ts';

const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 8);
const TARGET = 0.92;
/** Clock ticks a second of /proc/PID/stat's times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** What the server imported at its start before it imported them on first use. */
const EAGER_BEFORE = [
  'server/storage/s3-client.ts',
  'server/storage/s3-artifacts.ts',
  'server/symbols/s3-symbols.ts',
  'server/continuous/s3-window-store.ts',
  'core/export/profile-exports.ts',
  'core/pprof/write-pprof.ts',
  'core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts',
];

const WAYS = [
  { label: 'everything imported at start (the baseline)', imports: EAGER_BEFORE },
  { label: 'loaded on first use', imports: [] as string[] },
];

function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime: fields 14 and 15 of the line, 12 and 13 after the command's closing parenthesis.
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** CPU seconds of one server from exec to its listening line. */
async function startOnce(imports: string[], cacheDir: string): Promise<number> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'furnace-bench-server-start-'));
  const child = spawn(
    process.execPath,
    [...TYPESCRIPT_NODE_ARGS, ...imports.flatMap((m) => ['--import', `./${m}`]), 'server/main.ts', '--local'],
    {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        NODE_COMPILE_CACHE: cacheDir,
        FURNACE_PORT: String(port),
        FURNACE_DATA_DIR: dataDir,
        FURNACE_LOG_LEVEL: 'warn',
        FURNACE_LOCAL_SIDECAR: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start the server');
    return await new Promise<number>((resolve, reject) => {
      let output = '';
      const take = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (output.includes(`127.0.0.1:${port}`)) resolve(cpuSecondsOf(pid));
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.once('exit', (code) =>
        reject(new Error(`the server exited (${code}) before it listened:\n${output}`)),
      );
    });
  } finally {
    child.kill('SIGKILL');
    await new Promise((done) =>
      child.exitCode !== null || child.signalCode !== null ? done(undefined) : child.once('exit', done),
    );
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'furnace-bench-compile-cache-'));
  try {
    const loadBefore = load();
    for (const way of WAYS) await startOnce(way.imports, cacheDir); // the compile cache and the file cache
    const cpu = WAYS.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < WAYS.length; k++) {
        const i = (round + k) % WAYS.length;
        (cpu[i] as number[]).push(await startOnce((WAYS[i] as (typeof WAYS)[number]).imports, cacheDir));
      }
    }
    const base = median(cpu[0] as number[]);
    const rows = WAYS.map((way, i) => {
      const m = median(cpu[i] as number[]);
      const ratio = m / base;
      const verdict = i === 1 ? ` (target ≤ ${TARGET}: ${ratio <= TARGET ? 'met' : 'MISSED'})` : '';
      return `| ${way.label} | ${m.toFixed(2)} s | **${ratio.toFixed(2)}×**${verdict} |`;
    });
    process.stdout.write(
      [
        `machine: ${machine()}`,
        `${utcNow()}, ${ROUNDS} rounds interleaved, load average at start ${loadBefore}, at end ${load()}`,
        '',
        '| way | median CPU from exec to listening | ratio to the baseline |',
        '|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
