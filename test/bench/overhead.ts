// npm run bench:overhead — the throughput a program loses while Furnace records it at 99 Hz. The
// recording is made by the real sidecar process through its API (POST /recordings with the pid,
// frequency 99 and the sidecar's defaults: cpu-clock, frame-pointer call graphs), so perf runs with the
// sidecar's own arguments and the sidecar's own polling runs beside it. Two programs:
//   a CPU-bound C program (test/harness/counting-program.ts) counting work units per second, and
//   nginx (Debian) serving a page compressed per request to a keep-alive load generator
//   (go-http-load.ts), counting requests per second.
// The machine has two cores. The program is pinned to CPU 0, and the sidecar (with the perf it starts)
// and the load generator to CPU 1, so that what is measured is what recording costs on the program's
// own core (sampling interrupts, unwinding, perf's context-switch bookkeeping), not perf or the load
// generator time-sharing that core. Each round has a window without a recording and one with, in an
// order that turns every round so that load from other work on the machine falls on all alike; the
// loss is the median over rounds of each round's ratio. Each round also records at 999 Hz: ten times the samples, so ten times the per-sample
// cost, which stands out of the noise of a shared machine and bounds the cost at 99 Hz from above
// (the cost that does not grow with the rate, perf's bookkeeping at context switches, is in both).
// Also reported: the same per CPU-second the program ran (insensitive to time-sharing
// with other processes) and the CPU perf record itself used on the other core. Bounded: about 4 minutes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinished, type RecordingStatus } from '../../core/contract/recording.ts';
import { buildCountingProgram, readCount } from '../harness/counting-program.ts';
import { schedStat } from '../harness/process-usage.ts';
import { childPids, startProcess } from '../harness/processes.ts';
import { median } from '../harness/stats.ts';
import { workDir } from '../harness/temp-dirs.ts';
import {
  startFakeRegistrationServer,
  startSidecar,
  type SidecarProcess,
} from '../process/sidecar-harness.ts';
import { runBench, type BenchContext } from './bench-kit.ts';
import { buildHttpLoad, generateHttpLoad } from './go-http-load.ts';
import { startNginx } from '../harness/nginx.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WINDOW_SECONDS = 5;
/** The default and the frequency at which the cost, ten times as large, stands out of the noise. */
const FREQUENCIES = [99, 999];
const PROGRAM_CPU = 0;
const OTHER_CPU = 1;
const CONNECTIONS = 16;
/** perf record's start-up (reading the target's maps) is left out of the window. */
const SETTLE_MS = 1_000;

interface Throughput {
  perSecond: number;
  perCpuSecond: number;
  /** Shares of the window the program ran and waited, runnable, for its CPU. */
  onCpu: number;
  waiting: number;
  /** Times per second the program was given its CPU. */
  slicesPerSecond: number;
}

/** Work done in a window: units counted and the seconds they took. */
type Work = () => Promise<{ units: number; seconds: number }>;

/** Runs work and reads the scheduler's account of the program around it. */
async function observe(pid: number, work: Work): Promise<Throughput> {
  const before = await schedStat(pid);
  const { units, seconds } = await work();
  const after = await schedStat(pid);
  const runSeconds = (after.runNs - before.runNs) / 1e9;
  return {
    perSecond: units / seconds,
    perCpuSecond: units / runSeconds,
    onCpu: runSeconds / seconds,
    waiting: (after.waitNs - before.waitNs) / 1e9 / seconds,
    slicesPerSecond: (after.slices - before.slices) / seconds,
  };
}

interface Recorded extends Throughput {
  samples: number;
  perfCpuPercent: number;
}

/** One round: the window without a recording, and one at each frequency. */
interface Round {
  without: Throughput;
  recorded: Map<number, Recorded>;
}

async function perfPid(sidecarPid: number): Promise<number | undefined> {
  for (const pid of await childPids(sidecarPid)) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'perf') return pid;
  }
  return undefined;
}

/** Measures while the sidecar records `pid`; the recording must end done. */
async function whileRecording(
  sidecar: SidecarProcess,
  pid: number,
  frequency: number,
  measure: () => Promise<Throughput>,
): Promise<Recorded> {
  const body = { pid, frequency, durationSeconds: WINDOW_SECONDS + 60 };
  const start = await sidecar.call('POST', '/recordings', body);
  if (start.status !== 202) throw new Error(`POST /recordings answered ${start.status}: ${start.text}`);
  const { id } = start.json as RecordingStatus;
  await sleep(SETTLE_MS);
  const perf = await perfPid(sidecar.child.pid ?? 0);
  if (perf === undefined) throw new Error(`no perf process under the sidecar for recording ${id}`);
  const perfBefore = (await schedStat(perf)).runNs;
  const windowStart = performance.now();
  const result = await measure();
  const perfNs = (await schedStat(perf)).runNs - perfBefore;
  const windowMs = performance.now() - windowStart;
  await sidecar.call('POST', `/recordings/${id}/stop`);
  const status = await sidecar.waitFor(id, isFinished);
  if (status.state !== 'done') throw new Error(`recording ${id} ended ${status.state}: ${status.error}`);
  return { ...result, samples: status.samples ?? 0, perfCpuPercent: perfNs / 1e4 / windowMs };
}

const percent = (x: number): string => `${(x * 100).toFixed(2)} %`;

function describe(r: Throughput): string {
  return `${r.perSecond.toFixed(0)}/s (${r.perCpuSecond.toFixed(0)} per CPU-second; on CPU ${percent(r.onCpu)}, waiting ${percent(r.waiting)}, ${r.slicesPerSecond.toFixed(0)} slices/s)`;
}

async function rounds(
  name: string,
  sidecar: SidecarProcess,
  pid: number,
  measure: () => Promise<Throughput>,
): Promise<Round[]> {
  await measure(); // warm-up: caches, page cache, connections
  const result: Round[] = [];
  // 0 stands for the window without a recording; the order turns every round.
  const conditions = [0, ...FREQUENCIES];
  for (let r = 0; r < ROUNDS; r++) {
    const round: Round = {
      without: { perSecond: NaN, perCpuSecond: NaN, onCpu: NaN, waiting: NaN, slicesPerSecond: NaN },
      recorded: new Map(),
    };
    for (let i = 0; i < conditions.length; i++) {
      const frequency = conditions[(i + r) % conditions.length] ?? 0;
      if (frequency === 0) round.without = await measure();
      else round.recorded.set(frequency, await whileRecording(sidecar, pid, frequency, measure));
    }
    result.push(round);
    const recorded = [...round.recorded].map(
      ([f, x]) =>
        `${f} Hz ${describe(x)}, ${x.samples} samples, perf record ${x.perfCpuPercent.toFixed(2)} % of CPU ${OTHER_CPU}`,
    );
    process.stdout.write(
      `${name} round ${r + 1}: without ${describe(round.without)}; ${recorded.join('; ')}\n`,
    );
  }
  return result;
}

function row(name: string, unit: string, results: Round[], frequency: number): string {
  const at = (r: Round): Recorded | undefined => r.recorded.get(frequency);
  const lost = results.map((r) => 1 - (at(r)?.perSecond ?? NaN) / r.without.perSecond);
  const lostPerCpu = results.map((r) => 1 - (at(r)?.perCpuSecond ?? NaN) / r.without.perCpuSecond);
  const without = median(results.map((r) => r.without.perSecond));
  const withRecording = median(results.map((r) => at(r)?.perSecond ?? NaN));
  const perf = median(results.map((r) => at(r)?.perfCpuPercent ?? NaN));
  const samples = median(results.map((r) => at(r)?.samples ?? NaN));
  return `| ${name} | ${frequency} Hz | ${without.toFixed(0)} ${unit} | ${withRecording.toFixed(0)} ${unit} | **${percent(median(lost))}** (${lost.map(percent).join(', ')}) | ${percent(median(lostPerCpu))} (${lostPerCpu.map(percent).join(', ')}) | ${perf.toFixed(2)} % | ${samples.toFixed(0)} |`;
}

async function measureCpuBound(bench: BenchContext, dir: string, sidecar: SidecarProcess): Promise<Round[]> {
  const program = await buildCountingProgram(dir);
  const counter = join(dir, 'count');
  const target = startProcess(bench.t, 'taskset', ['-c', String(PROGRAM_CPU), program, counter]);
  await sleep(200);
  const count = (): Promise<Throughput> =>
    observe(target.pid, async () => {
      const [c0, t0] = [await readCount(counter), performance.now()];
      await sleep(WINDOW_SECONDS * 1000);
      const [c1, t1] = [await readCount(counter), performance.now()];
      return { units: c1 - c0, seconds: (t1 - t0) / 1000 };
    });
  const results = await rounds('CPU-bound', sidecar, target.pid, count);
  await target.stop();
  return results;
}

async function measureNginx(bench: BenchContext, dir: string, sidecar: SidecarProcess): Promise<Round[]> {
  const load = await buildHttpLoad(dir);
  const nginx = await startNginx(bench.t, join(dir, 'nginx'), PROGRAM_CPU);
  const options = { url: nginx.url, connections: CONNECTIONS, seconds: WINDOW_SECONDS, cpu: OTHER_CPU };
  const serve = (): Promise<Throughput> =>
    observe(nginx.workerPid, async () => {
      const { requests, seconds } = await generateHttpLoad(load, options);
      return { units: requests, seconds };
    });
  return rounds('nginx', sidecar, nginx.workerPid, serve);
}

async function measure(bench: BenchContext): Promise<void> {
  const dir = await workDir(bench.t, 'bench-overhead');
  const server = await startFakeRegistrationServer(bench.t, 'bench-secret');
  const pin = (argv: string[]): string[] => ['taskset', '-c', String(OTHER_CPU), ...argv];
  const sidecar = await startSidecar(bench.t, server, 'bench-secret', {}, pin);
  const cpuBound = await measureCpuBound(bench, dir, sidecar);
  const nginx = await measureNginx(bench, dir, sidecar);
  const rows = FREQUENCIES.flatMap((f) => [
    row('CPU-bound C program (work units)', '/s', cpuBound, f),
    row(`nginx, 16 KiB page gzipped per request, ${CONNECTIONS} keep-alive connections`, 'req/s', nginx, f),
  ]);
  process.stdout.write(
    [
      '',
      `recording: the sidecar's POST /recordings {pid, frequency} (perf record -e cpu-clock -F <frequency> -g -p PID); windows of ${WINDOW_SECONDS} s, ${ROUNDS} rounds of without, ${FREQUENCIES.map((f) => `${f} Hz`).join(', ')} in turning order; program on CPU ${PROGRAM_CPU}, sidecar, perf and load generator on CPU ${OTHER_CPU}`,
      '',
      '| program | recording | without recording (median) | with recording (median) | throughput lost (median; each round) | lost per CPU-second of the program (median; each round) | perf record CPU | samples per recording |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

await runBench('bench:overhead', measure);
