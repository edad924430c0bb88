// npm run bench:continuous [-- --seconds N] — what continuous profiling costs (issue 24): the real agent's
// collector (sidecar/continuous, started as agent/main.ts starts it, in a process of its own) at 19 Hz on
// two busy simulated pods, each a CPU-bound counting program (test/harness/counting-program.ts) in a
// container cgroup of its own under /sys/fs/cgroup/unified, as the kube tier's simulated kubelet makes
// them, pinned one to each core. A stand-in for the server's recorder listener hands out the plan and
// stores the windows in the real window store.
//
// Measured, in phases that turn every round (recorded, then unrecorded, then unrecorded first…) so that
// other load on the shared machine falls on both alike:
//   - the agent's CPU time (its node process, perf record, every perf script: /proc of the process tree)
//     while recording, as % of one core; and the tree's peak resident memory;
//   - the programs' throughput recorded against the same programs unrecorded in the same run (the method
//     of bench:overhead: work units per second and per CPU-second, the median of each round's ratio);
//   - the bytes stored, before and after compaction into 10-minute windows, per busy core and day:
//     extrapolated linearly from the recorded time, an upper bound for a steady program (a 10-minute
//     window's distinct stacks grow less than linearly with its length).
// Default: 300 s recorded (the 5 minutes); --seconds N shortens it (at least 60).
// BENCH_AGENT_NODE_ARGS passes node flags to the agent process (a heap cap, --cpu-prof).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContinuousPlan, ContinuousTarget } from '../../core/continuous/continuous-plan.ts';
import { compactWindows } from '../../server/continuous/compact-windows.ts';
import { filesystemWindows, type WindowStore } from '../../server/continuous/window-store.ts';
import { buildCountingProgram, readCount } from '../harness/counting-program.ts';
import { createPodCgroups, joinCgroupLine } from '../harness/pod-cgroups.ts';
import { cpuMs, schedStat } from '../harness/process-usage.ts';
import { startProcess, type RunningProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { median } from '../harness/stats.ts';
import { buildDist } from '../process/server-processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { loadAverage, runBench, type BenchContext } from './bench-kit.ts';
import { startStandInServer, type StandInServer } from './continuous-stand-in-server.ts';
import { peakRssKiB, runsInTree, treeCpuMs, watchTreeRss } from './continuous-usage.ts';

const FREQUENCY = 19;
const WINDOW_SECONDS = 15;
const NODE = 'bench-node';
const DAY_S = 86_400;

function secondsArg(): number {
  const at = process.argv.indexOf('--seconds');
  const seconds = at < 0 ? 300 : Number(process.argv[at + 1]);
  if (!Number.isInteger(seconds) || seconds < 60)
    throw new Error(`--seconds must be an integer of at least 60 (got ${process.argv[at + 1]})`);
  return seconds;
}

/** Node flags for the agent process: BENCH_AGENT_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=DIR`). */
function agentNodeArgs(): string[] {
  return (process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

interface BusyPod {
  target: ContinuousTarget;
  pid: number;
  counter: string;
}

async function startBusyPod(
  bench: BenchContext,
  dir: string,
  program: string,
  name: string,
  cpu: number,
): Promise<BusyPod> {
  const podUid = randomUUID();
  const cgroups = await createPodCgroups('systemd', podUid, ['app']);
  bench.t.after(() => cgroups.remove());
  const app = cgroups.containers.get('app');
  if (!app) throw new Error('no app container cgroup');
  const counter = join(dir, `${name}.count`);
  const line = `${joinCgroupLine(app.dir)} && exec taskset -c ${cpu} '${program}' '${counter}'`;
  const child = startProcess(bench.t, 'sh', ['-c', line]);
  await sleep(300);
  const target = {
    namespace: 'bench',
    pod: name,
    podUid,
    workload: 'Deployment/busy',
    containers: [{ name: 'app', id: app.id }],
  };
  return { target, pid: child.pid, counter };
}

interface Phase {
  recorded: boolean;
  seconds: number;
  /** Per pod: work units per second and per CPU-second. */
  perSecond: number[];
  perCpuSecond: number[];
  /** Cores the two programs used together. */
  busyCores: number;
  agentCpuMs: number;
}

async function measurePhase(
  pods: readonly BusyPod[],
  agentPid: number,
  recorded: boolean,
  seconds: number,
): Promise<Phase> {
  const before = await Promise.all(
    pods.map(async (p) => ({ count: await readCount(p.counter), run: (await schedStat(p.pid)).runNs })),
  );
  const cpu0 = await treeCpuMs(agentPid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const agentCpuMs = (await treeCpuMs(agentPid)) - cpu0;
  const after = await Promise.all(
    pods.map(async (p) => ({ count: await readCount(p.counter), run: (await schedStat(p.pid)).runNs })),
  );
  const units = after.map((a, i) => a.count - (before[i]?.count ?? 0));
  const runs = after.map((a, i) => (a.run - (before[i]?.run ?? 0)) / 1e9);
  return {
    recorded,
    seconds: wall,
    perSecond: units.map((u) => u / wall),
    perCpuSecond: units.map((u, i) => u / (runs[i] ?? NaN)),
    busyCores: runs.reduce((s, r) => s + r, 0) / wall,
    agentCpuMs,
  };
}

/** Sets the plan and waits until the agent follows it: perf running (or not) under the agent. */
async function switchTo(server: StandInServer, agentPid: number, plan: ContinuousPlan): Promise<void> {
  server.setPlan(plan);
  const wanted = plan.targets.length > 0;
  const deadline = Date.now() + 60_000;
  while ((await runsInTree(agentPid, 'perf')) !== wanted) {
    if (Date.now() > deadline)
      throw new Error(`the agent did not ${wanted ? 'start' : 'stop'} perf within 60 s`);
    await sleep(250);
  }
}

async function storedBytes(store: WindowStore): Promise<{ bytes: number; windows: number }> {
  let bytes = 0;
  let windows = 0;
  for await (const { namespace, hour } of store.hours())
    for await (const w of store.listSized(`${namespace}/${hour}/`)) {
      bytes += w.bytes;
      windows += 1;
    }
  return { bytes, windows };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

async function runPhases(
  pods: readonly BusyPod[],
  agentPid: number,
  server: StandInServer,
  seconds: number,
): Promise<Phase[]> {
  const rounds = Math.max(2, Math.round(seconds / 60));
  const onSeconds = seconds / rounds;
  const offSeconds = Math.min(30, onSeconds);
  const on: ContinuousPlan = {
    frequency: FREQUENCY,
    windowSeconds: WINDOW_SECONDS,
    targets: pods.map((p) => p.target),
  };
  const phases: Phase[] = [];
  for (let r = 0; r < rounds; r++)
    for (const recorded of r % 2 === 0 ? [true, false] : [false, true]) {
      await switchTo(server, agentPid, recorded ? on : { ...on, targets: [] });
      const phase = await measurePhase(pods, agentPid, recorded, recorded ? onSeconds : offSeconds);
      phases.push(phase);
      process.stdout.write(
        `round ${r + 1} ${recorded ? 'recorded  ' : 'unrecorded'}: ${phase.perSecond.map((x) => x.toFixed(0)).join(' + ')} units/s, ` +
          `${phase.busyCores.toFixed(2)} busy cores, agent ${(phase.agentCpuMs / 10 / phase.seconds).toFixed(2)} % of a core; load ${loadAverage()}\n`,
      );
    }
  await switchTo(server, agentPid, { ...on, targets: [] });
  return phases;
}

/** The median over rounds of the loss recorded against unrecorded, the mean of the pods each round. */
function losses(phases: readonly Phase[], of: 'perSecond' | 'perCpuSecond'): number[] {
  const result: number[] = [];
  for (let i = 0; i + 1 < phases.length; i += 2) {
    const [a, b] = [phases[i], phases[i + 1]];
    const recorded = a?.recorded ? a : b;
    const unrecorded = a?.recorded ? b : a;
    if (!recorded || !unrecorded) continue;
    const ratios = recorded[of].map((x, p) => x / (unrecorded[of][p] ?? NaN));
    result.push(1 - ratios.reduce((s, x) => s + x, 0) / ratios.length);
  }
  return result;
}

interface Figures {
  phases: Phase[];
  agentCpuMs: number;
  /** Of which the node process itself (the rest: perf record and perf script). */
  nodeCpuMs: number;
  peakTreeKiB: number;
  peakNodeKiB: number;
  recordedSeconds: number;
  fine: { bytes: number; windows: number };
  compacted: { bytes: number; windows: number };
  dropped: number;
}

function report(f: Figures): void {
  const recorded = f.phases.filter((p) => p.recorded);
  const busyCores = median(recorded.map((p) => p.busyCores));
  const cpuShare = f.agentCpuMs / 1000 / f.recordedSeconds;
  const perSecond = losses(f.phases, 'perSecond');
  const perCpu = losses(f.phases, 'perCpuSecond');
  const perCoreDay = (bytes: number) => (bytes / f.recordedSeconds) * (DAY_S / busyCores);
  const unrecorded = f.phases.filter((p) => !p.recorded);
  const base = median(unrecorded.map((p) => p.perSecond.reduce((s, x) => s + x, 0)));
  const withAgent = median(recorded.map((p) => p.perSecond.reduce((s, x) => s + x, 0)));
  const lines = [
    `load: two counting programs, one per core (${busyCores.toFixed(2)} busy cores while recorded), ${FREQUENCY} Hz, ${WINDOW_SECONDS} s windows, ${f.recordedSeconds.toFixed(0)} s recorded`,
    `baseline (unrecorded): ${base.toFixed(0)} units/s; recorded: ${withAgent.toFixed(0)} units/s; ratio ${(withAgent / base).toFixed(4)}`,
    `overhead on the programs: ${pct(median(perSecond))} per second (rounds ${perSecond.map(pct).join(', ')}), ${pct(median(perCpu))} per CPU-second (${perCpu.map(pct).join(', ')})  [target ≤ 1 %]`,
    `agent CPU (node process + perf + perf script, all of the run over the recorded time): ${(cpuShare * 100).toFixed(2)} % of one core (${(f.agentCpuMs / 1000).toFixed(1)} CPU-s, of which the node process ${(f.nodeCpuMs / 1000).toFixed(1)}, perf and perf script ${((f.agentCpuMs - f.nodeCpuMs) / 1000).toFixed(1)})  [target ≤ 1 %]`,
    `agent peak RSS: process tree ${(f.peakTreeKiB / 1024).toFixed(1)} MiB (sampled every 0.5 s), node process VmHWM ${(f.peakNodeKiB / 1024).toFixed(1)} MiB  [target ≤ 150 MB]`,
    `stored: ${f.fine.windows} windows, ${mb(f.fine.bytes)} (folded + pprof) = ${mb(perCoreDay(f.fine.bytes))} per busy core per day before compaction`,
    `after compaction into 10-minute windows: ${f.compacted.windows} windows, ${mb(f.compacted.bytes)} = ${mb(perCoreDay(f.compacted.bytes))} per busy core per day (linear, an upper bound)  [target ≤ 40 MB]`,
    `windows dropped by the agent: ${f.dropped}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function measure(bench: BenchContext): Promise<void> {
  const seconds = secondsArg();
  const dir = await workDir(bench.t, 'bench-continuous');
  const program = await buildCountingProgram(dir);
  const pods = [
    await startBusyPod(bench, dir, program, 'busy-a', 0),
    await startBusyPod(bench, dir, program, 'busy-b', 1),
  ];
  const store = filesystemWindows(join(dir, 'server'));
  const server = await startStandInServer(bench.t, store);
  const agentScript = join(PROJECT_ROOT, 'test/bench/continuous-agent.ts');
  buildDist();
  const agent: RunningProcess = startProcess(
    bench.t,
    process.execPath,
    [...agentNodeArgs(), agentScript, server.url, NODE, join(dir, 'agent')],
    { cwd: PROJECT_ROOT },
  );
  await sleep(3000); // the agent's start-up is not part of its running cost
  const rss = watchTreeRss(agent.pid);
  const cpu0 = await treeCpuMs(agent.pid);
  const node0 = await cpuMs(agent.pid);
  const phases = await runPhases(pods, agent.pid, server, seconds);
  await sleep(5000); // the last window's upload
  const agentCpuMs = (await treeCpuMs(agent.pid)) - cpu0;
  const nodeCpuMs = (await cpuMs(agent.pid)) - node0;
  rss.stop();
  const fine = await storedBytes(store);
  await compactWindows({
    windows: store,
    levels: [{ resolution: 600, afterMs: 0 }],
    frequency: FREQUENCY,
    now: Date.now() + 2 * DAY_S * 1000,
  });
  const counts = server.counts();
  report({
    phases,
    agentCpuMs,
    nodeCpuMs,
    peakTreeKiB: rss.peakKiB(),
    peakNodeKiB: await peakRssKiB(agent.pid),
    recordedSeconds: counts.recordedMs / 1000,
    fine,
    compacted: await storedBytes(store),
    dropped: counts.dropped,
  });
  if (counts.stored === 0) throw new Error(`the agent stored no window:\n${agent.output()}`);
}

await runBench('bench:continuous', measure);
