// npm run bench:wall-accuracy — how closely a wall-clock recording splits a program's time the way the
// program itself counts it. The waiting C program (test/harness/waiting-program.ts) runs four threads the
// whole time: one computes in burn(), one blocks in read() on a pipe fed every 10 ms, two sleep in
// nanosleep(); it sums, with CLOCK_MONOTONIC around each call, the time its threads spend inside each and
// writes the totals to a file every 100 ms. The real sidecar records it `profile: wall` at the default
// 99 Hz; in each round (BENCH_ROUNDS, 3) the program's totals are read once bpftrace's programs are
// attached and again when the window (BENCH_WINDOW_SECONDS, 10) ends, just before the stop. The program's
// share of a call is its time in the window over the four threads' time (4 × the window); the graph's is
// the time in stacks through that call over the graph's total. Judged: the difference in points, goal ±3.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinished, type RecordingStatus } from '../../core/contract/recording.ts';
import { parseFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import { startProcess } from '../harness/processes.ts';
import { median } from '../harness/stats.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { buildWaitingProgram, parseWaitingAccount, type WaitingAccount } from '../harness/waiting-program.ts';
import {
  startFakeRegistrationServer,
  startSidecar,
  type SidecarProcess,
} from '../process/sidecar-harness.ts';
import { runBench, type BenchContext } from './bench-kit.ts';
import { attachedBpftrace } from './bpftrace-attached.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 10);
const GOAL_POINTS = 3;
/** burn, read, feed and sleep: every one alive for the whole window. */
const THREADS = 4;

type Call = 'burn' | 'read' | 'nanosleep';
const CALLS: readonly Call[] = ['burn', 'read', 'nanosleep'];

/** The frames that put a stack inside each call: the program's function, libc's wrapper, the kernel's. */
const FRAMES: Readonly<Record<Call, RegExp>> = {
  burn: /^burn$/,
  read: /^(__libc_read|__read|read|ksys_read)$/,
  nanosleep: /^(__nanosleep|nanosleep|__clock_nanosleep|clock_nanosleep|do_nanosleep)$/,
};

type Shares = Record<Call, number>;

function graphShares(stacks: FoldedStacks): Shares {
  const total = totalSamples(stacks);
  const shares: Shares = { burn: 0, read: 0, nanosleep: 0 };
  for (const [stack, value] of stacks) {
    const frames = stack.split(';');
    for (const call of CALLS)
      if (frames.some((frame) => FRAMES[call].test(frame))) shares[call] += (100 * value) / total;
  }
  return shares;
}

function programShares(before: WaitingAccount, after: WaitingAccount): Shares {
  const threadNs = THREADS * (after.atNs - before.atNs);
  return {
    burn: (100 * (after.burnNs - before.burnNs)) / threadNs,
    read: (100 * (after.readNs - before.readNs)) / threadNs,
    nanosleep: (100 * (after.nanosleepNs - before.nanosleepNs)) / threadNs,
  };
}

async function readAccount(path: string): Promise<WaitingAccount> {
  for (let i = 0; i < 50; i++) {
    const account = parseWaitingAccount(await readFile(path, 'utf8').catch(() => ''));
    if (account !== undefined) return account;
    await sleep(20);
  }
  throw new Error(`the waiting program wrote no accounting line to ${path}`);
}

interface Round {
  graph: Shares;
  program: Shares;
  seconds: number;
}

async function recordRound(sidecar: SidecarProcess, pid: number, accountPath: string): Promise<Round> {
  const start = await sidecar.call('POST', '/recordings', {
    profile: 'wall',
    pid,
    durationSeconds: WINDOW_SECONDS + 120,
  });
  if (start.status !== 202) throw new Error(`POST /recordings answered ${start.status}: ${start.text}`);
  const { id } = start.json as RecordingStatus;
  await attachedBpftrace(sidecar, id);
  const before = await readAccount(accountPath);
  await sleep(WINDOW_SECONDS * 1000);
  const after = await readAccount(accountPath);
  await sidecar.call('POST', `/recordings/${id}/stop`);
  const done = await sidecar.waitFor(id, isFinished);
  if (done.state !== 'done') throw new Error(`recording ${id} ended ${done.state}: ${done.error}`);
  const stacks = parseFolded(await sidecar.artifact(id, 'stacks.folded'));
  return {
    graph: graphShares(stacks),
    program: programShares(before, after),
    seconds: totalSamples(stacks) / 1e9 / THREADS,
  };
}

const points = (round: Round, call: Call): number => round.graph[call] - round.program[call];
const fixed = (x: number): string => x.toFixed(1);

function describeRound(round: Round, index: number): string {
  const parts = CALLS.map(
    (call) =>
      `${call} ${fixed(round.graph[call])} % against ${fixed(round.program[call])} % (${points(round, call) >= 0 ? '+' : ''}${fixed(points(round, call))})`,
  );
  return `round ${index + 1} (${fixed(round.seconds)} s a thread in the graph): ${parts.join('; ')}`;
}

async function measure(bench: BenchContext): Promise<void> {
  const dir = await workDir(bench.t, 'bench-wall-accuracy');
  const accountPath = join(dir, 'account');
  const program = await buildWaitingProgram(dir, 'fwait_wall');
  const waiting = startProcess(bench.t, program, ['7200', 'wal', '1', accountPath]);
  const server = await startFakeRegistrationServer(bench.t, 'bench-secret');
  const sidecar = await startSidecar(bench.t, server, 'bench-secret');
  await server.registered;
  await readAccount(accountPath);
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = await recordRound(sidecar, waiting.pid, accountPath);
    rounds.push(round);
    process.stdout.write(`${describeRound(round, r)}\n`);
  }
  process.stdout.write(
    `\n| call | wall graph (median) | the program's own accounting (median) | difference, points (each round) |\n|---|---|---|---|\n`,
  );
  let worst = 0;
  for (const call of CALLS) {
    const diffs = rounds.map((round) => points(round, call));
    worst = Math.max(worst, ...diffs.map(Math.abs));
    const graph = median(rounds.map((round) => round.graph[call]));
    const own = median(rounds.map((round) => round.program[call]));
    process.stdout.write(
      `| ${call} | ${fixed(graph)} % | ${fixed(own)} % | ${diffs.map((d) => (d >= 0 ? '+' : '') + fixed(d)).join(', ')} |\n`,
    );
  }
  const met = worst <= GOAL_POINTS;
  process.stdout.write(
    `\nlargest difference ${fixed(worst)} points over ${ROUNDS} rounds of ${WINDOW_SECONDS} s at 99 Hz; goal ±${GOAL_POINTS}: ${met ? 'met' : 'NOT met'}\n`,
  );
}

await runBench('bench:wall-accuracy', measure);
