// npm run bench:offcpu — what an off-CPU recording costs a busy server, and how long its graph takes after
// the stop, each against the same workload in the same run. Debian's nginx (one worker, a 16 KiB page
// gzipped per request, test/harness/nginx.ts) on CPU 0 under ApacheBench (`ab -k`, 16 connections) on
// CPU 1, with the real sidecars on CPU 1 recording `profile: offcpu` through their API.
//
// 1. Overhead: rounds of 5-s windows unrecorded, recorded at the defaults (≥ 10 µs away counted), and
//    recorded by a second sidecar whose FURNACE_SCHED_MIN_BLOCKED_US is 1000 (waits under 1 ms are not
//    counted: fewer map updates, less detail), in an order that turns every round; the loss is the median
//    of each round's ratio to its unrecorded window. The recorder's CPU is bpftrace's process plus its BPF
//    programs' run time in the kernel (their fdinfo's run_time_ns), which runs on whichever CPU switches,
//    given per 10,000 context switches a second of the whole machine (/proc/stat's ctxt over the window).
//    The kernel counts run time only while kernel.bpf_stats_enabled is set, and that costs two clock reads
//    per program run (about 0.3 µs a switch on this VM): so each recording is measured twice, a window for
//    the throughput with the statistics off (as users run) and then one for the CPU with them on.
// 2. Stop → graph: a 30-s recording of the same nginx stopped, then the time until the status says done
//    (record stage end, folding, rendering, exports), offcpu against cpu (perf), alternating.
// 3. Cost per blocking switch, in CPU time, on a program that blocks every ~20 µs (offcpu-switch-cost.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinished, type RecordingStatus } from '../../core/contract/recording.ts';
import { startNginx } from '../harness/nginx.ts';
import { cpuMs } from '../harness/process-usage.ts';
import { run } from '../harness/processes.ts';
import { median } from '../harness/stats.ts';
import { workDir } from '../harness/temp-dirs.ts';
import {
  startFakeRegistrationServer,
  startSidecar,
  type SidecarProcess,
} from '../process/sidecar-harness.ts';
import { runBench, type BenchContext } from './bench-kit.ts';
import { attachedBpftrace, bpfRunTime } from './bpftrace-attached.ts';
import { describeSwitchCost, switchCost } from './offcpu-switch-cost.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STOP_ROUNDS = Number(process.env.BENCH_STOP_ROUNDS ?? 3);
const WINDOW_SECONDS = 5;
const STOP_AFTER_SECONDS = 30;
const PROGRAM_CPU = 0;
const OTHER_CPU = 1;
const CONNECTIONS = 16;
const BPF_STATS = '/proc/sys/kernel/bpf_stats_enabled';

interface Window {
  requestsPerSecond: number;
  switchesPerSecond: number;
  /** The recorder's window (BPF statistics on): ns of CPU a second of bpftrace's process and of its BPF
   * programs in the kernel, and the machine's switches a second then. */
  recorder?: { bpftraceNsPerSecond: number; bpfNsPerSecond: number; switchesPerSecond: number };
}

type Condition = 'without' | 'default' | 'coarse';

async function contextSwitches(): Promise<number> {
  return Number(/^ctxt (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'))?.[1] ?? NaN);
}

/** `ab` on the other CPU for the window; its requests per second. */
async function abWindow(url: string): Promise<number> {
  const args = ['-c', String(OTHER_CPU), 'ab', '-k', '-c', String(CONNECTIONS), '-t', String(WINDOW_SECONDS)];
  const { stdout } = await run('taskset', [...args, '-n', '100000000', '-H', 'Accept-Encoding: gzip', url], {
    maxBuffer: 1024 ** 2,
  });
  const rate = /^Requests per second:\s+([\d.]+)/m.exec(stdout)?.[1];
  if (rate === undefined) throw new Error(`ab printed no rate:\n${stdout}`);
  return Number(rate);
}

/** Starts an offcpu recording of pid and waits for bpftrace's programs to be attached; its id and bpftrace. */
async function startOffcpu(sidecar: SidecarProcess, pid: number, seconds: number) {
  const start = await sidecar.call('POST', '/recordings', {
    profile: 'offcpu',
    pid,
    durationSeconds: seconds,
  });
  if (start.status !== 202) throw new Error(`POST /recordings answered ${start.status}: ${start.text}`);
  const { id } = start.json as RecordingStatus;
  return { id, bpftrace: await attachedBpftrace(sidecar, id) };
}

async function stopAndWait(sidecar: SidecarProcess, id: string): Promise<RecordingStatus> {
  await sidecar.call('POST', `/recordings/${id}/stop`);
  const status = await sidecar.waitFor(id, isFinished);
  if (status.state !== 'done') throw new Error(`recording ${id} ended ${status.state}: ${status.error}`);
  return status;
}

/** One window of `ab`: nginx's requests and the machine's context switches a second. */
async function measureWindow(url: string): Promise<Window> {
  const [ctxt0, t0] = [await contextSwitches(), performance.now()];
  const requestsPerSecond = await abWindow(url);
  const seconds = (performance.now() - t0) / 1000;
  return { requestsPerSecond, switchesPerSecond: ((await contextSwitches()) - ctxt0) / seconds };
}

/** One more window of `ab` with the BPF statistics on: the recorder's CPU. */
async function measureRecorder(url: string, bpftrace: number): Promise<Window['recorder']> {
  await writeFile(BPF_STATS, '1');
  try {
    const [bpf0, cpu0, t0] = [(await bpfRunTime(bpftrace)).ns, await cpuMs(bpftrace), performance.now()];
    const { switchesPerSecond } = await measureWindow(url);
    const seconds = (performance.now() - t0) / 1000;
    const bpfNsPerSecond = ((await bpfRunTime(bpftrace)).ns - bpf0) / seconds;
    const bpftraceNsPerSecond = (((await cpuMs(bpftrace)) - cpu0) * 1e6) / seconds;
    return { bpfNsPerSecond, bpftraceNsPerSecond, switchesPerSecond };
  } finally {
    await writeFile(BPF_STATS, '0');
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

function describeWindow(w: Window): string {
  const recorder =
    w.recorder === undefined
      ? ''
      : `, BPF ${pct(w.recorder.bpfNsPerSecond / 1e9)} of a CPU, bpftrace ${pct(w.recorder.bpftraceNsPerSecond / 1e9)}`;
  return `${w.requestsPerSecond.toFixed(0)} req/s, ${w.switchesPerSecond.toFixed(0)} switches/s${recorder}`;
}

async function overhead(
  url: string,
  workerPid: number,
  sidecars: Record<'default' | 'coarse', SidecarProcess>,
) {
  await abWindow(url); // warm-up
  const conditions: Condition[] = ['without', 'default', 'coarse'];
  const rounds: Map<Condition, Window>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = new Map<Condition, Window>();
    for (let i = 0; i < conditions.length; i++) {
      const condition = conditions[(i + r) % conditions.length] ?? 'without';
      if (condition === 'without') {
        round.set(condition, await measureWindow(url));
        continue;
      }
      const sidecar = sidecars[condition];
      const { id, bpftrace } = await startOffcpu(sidecar, workerPid, WINDOW_SECONDS + 60);
      const window = await measureWindow(url);
      round.set(condition, { ...window, recorder: await measureRecorder(url, bpftrace) });
      await stopAndWait(sidecar, id);
    }
    rounds.push(round);
    const parts = conditions.map((c) => `${c} ${describeWindow(round.get(c) as Window)}`);
    process.stdout.write(`overhead round ${r + 1}: ${parts.join('; ')}\n`);
  }
  return rounds;
}

function overheadRow(
  rounds: Map<Condition, Window>[],
  condition: 'default' | 'coarse',
  label: string,
): string {
  const of = (r: Map<Condition, Window>, c: Condition): Window => r.get(c) as Window;
  const lost = rounds.map((r) => 1 - of(r, condition).requestsPerSecond / of(r, 'without').requestsPerSecond);
  const cpu = rounds.map((r) => {
    const w = of(r, condition);
    return ((w.recorder?.bpfNsPerSecond ?? NaN) + (w.recorder?.bpftraceNsPerSecond ?? NaN)) / 1e9;
  });
  const per10k = rounds.map(
    (r, i) => (cpu[i] ?? NaN) / ((of(r, condition).recorder?.switchesPerSecond ?? NaN) / 10_000),
  );
  const without = median(rounds.map((r) => of(r, 'without').requestsPerSecond));
  const recorded = median(rounds.map((r) => of(r, condition).requestsPerSecond));
  const switches = median(rounds.map((r) => of(r, condition).switchesPerSecond));
  return `| ${label} | ${without.toFixed(0)} req/s | ${recorded.toFixed(0)} req/s | **${pct(median(lost))}** (${lost.map(pct).join(', ')}) | ${switches.toFixed(0)} | ${pct(median(cpu))} | **${pct(median(per10k))}** |`;
}

/** Stop → done of a 30-s recording of the worker, `body` the start request. */
async function stopToGraph(sidecar: SidecarProcess, body: Record<string, unknown>): Promise<number> {
  const start = await sidecar.call('POST', '/recordings', {
    ...body,
    durationSeconds: STOP_AFTER_SECONDS + 60,
  });
  if (start.status !== 202) throw new Error(`POST /recordings answered ${start.status}: ${start.text}`);
  const { id } = start.json as RecordingStatus;
  await sleep(STOP_AFTER_SECONDS * 1000);
  const t0 = performance.now();
  await stopAndWait(sidecar, id);
  return performance.now() - t0;
}

async function measure(bench: BenchContext): Promise<void> {
  const dir = await workDir(bench.t, 'bench-offcpu');
  const previousStats = (await readFile(BPF_STATS, 'utf8')).trim();
  await writeFile(BPF_STATS, '0');
  bench.t.after(() => writeFile(BPF_STATS, previousStats));
  const server = await startFakeRegistrationServer(bench.t, 'bench-secret');
  const pin = (argv: string[]): string[] => ['taskset', '-c', String(OTHER_CPU), ...argv];
  const sidecars = {
    default: await startSidecar(bench.t, server, 'bench-secret', {}, pin),
    coarse: await startSidecar(
      bench.t,
      server,
      'bench-secret',
      { FURNACE_SCHED_MIN_BLOCKED_US: '1000' },
      pin,
    ),
  };
  const nginx = await startNginx(bench.t, join(dir, 'nginx'), PROGRAM_CPU);
  const rounds = await overhead(nginx.url, nginx.workerPid, sidecars);
  const cost = await switchCost(bench, dir, PROGRAM_CPU, sidecars, async (sidecar, pid) => {
    const { id } = await startOffcpu(sidecar, pid, 60);
    return { stop: () => stopAndWait(sidecar, id) };
  });

  // Stop → graph under the same load, ab running for the whole of it.
  const load = run('taskset', [
    ...['-c', String(OTHER_CPU), 'ab', '-k', '-c', String(CONNECTIONS)],
    ...['-t', String(STOP_ROUNDS * 2 * (STOP_AFTER_SECONDS + 15)), '-n', '100000000', nginx.url],
  ]);
  const times = { offcpu: [] as number[], cpu: [] as number[] };
  for (let r = 0; r < STOP_ROUNDS; r++) {
    const order: ('offcpu' | 'cpu')[] = r % 2 === 0 ? ['offcpu', 'cpu'] : ['cpu', 'offcpu'];
    for (const profile of order)
      times[profile].push(await stopToGraph(sidecars.default, { profile, pid: nginx.workerPid }));
    process.stdout.write(
      `stop → done round ${r + 1}: offcpu ${times.offcpu.at(-1)?.toFixed(0)} ms, cpu ${times.cpu.at(-1)?.toFixed(0)} ms\n`,
    );
  }
  await load.catch(() => undefined);
  const ratios = times.offcpu.map((t, i) => t / (times.cpu[i] ?? NaN));
  process.stdout.write(
    [
      '',
      `nginx (1 worker, 16 KiB gzipped per request) on CPU ${PROGRAM_CPU}; ab -k -c ${CONNECTIONS}, the sidecars and bpftrace on CPU ${OTHER_CPU}; ${ROUNDS} rounds of ${WINDOW_SECONDS}-s windows in turning order`,
      '',
      '| recording | without (median) | with (median) | throughput lost (median; each round) | context switches/s (machine) | recorder CPU (BPF + bpftrace) | per 10,000 switches/s |',
      '|---|---|---|---|---|---|---|',
      overheadRow(rounds, 'default', 'offcpu, defaults (≥ 10 µs)'),
      overheadRow(rounds, 'coarse', 'offcpu, FURNACE_SCHED_MIN_BLOCKED_US=1000'),
      '',
      describeSwitchCost(cost),
      `stop → done after ${STOP_AFTER_SECONDS} s (median of ${STOP_ROUNDS}): offcpu ${median(times.offcpu).toFixed(0)} ms, cpu ${median(times.cpu).toFixed(0)} ms, ratio **${median(ratios).toFixed(2)}×** (${ratios.map((x) => x.toFixed(2)).join(', ')}); goal ≤ 1.2×`,
      '',
    ].join('\n'),
  );
}

await runBench('bench:offcpu', measure);
