// bench:offcpu, part 3: what the off-CPU recorder adds to one blocking switch of a chosen thread, in CPU time,
// a figure a loaded machine moves far less than nginx's throughput. The ping-pong program
// (test/harness/ping-pong-program.ts: two threads on one CPU handing a byte through pipes, about 20 µs of work
// between hand-offs) unrecorded, recorded at the defaults and recorded with waits under 1 ms left out, in
// turning order; each window's CPU time per hand-off, and the recorded windows' excess over the unrecorded
// one of the same round.
import { setTimeout as sleep } from 'node:timers/promises';
import { buildPingPongProgram, lastPingPongReport } from '../harness/ping-pong-program.ts';
import { startProcess } from '../harness/processes.ts';
import { median } from '../harness/stats.ts';
import type { SidecarProcess } from '../process/sidecar-harness.ts';
import type { BenchContext } from './bench-kit.ts';

const ROUNDS = 3;
const WINDOW_MS = 3000;

type Condition = 'without' | 'default' | 'coarse';

export interface SwitchCost {
  /** CPU ns per hand-off, median over the rounds. */
  perHandoff: Record<Condition, number>;
  /** Recorded minus unrecorded CPU ns per hand-off, each round. */
  added: Record<'default' | 'coarse', number[]>;
}

/**
 * `record(sidecar, pid)` starts an offcpu recording of pid and resolves once bpftrace is attached; its
 * result's `stop()` ends it.
 */
export async function switchCost(
  bench: BenchContext,
  dir: string,
  cpu: number,
  sidecars: Record<'default' | 'coarse', SidecarProcess>,
  record: (sidecar: SidecarProcess, pid: number) => Promise<{ stop(): Promise<unknown> }>,
): Promise<SwitchCost> {
  const binary = await buildPingPongProgram(dir);
  const program = startProcess(bench.t, 'taskset', ['-c', String(cpu), binary]);
  await sleep(1000);
  const window = async (): Promise<number> => {
    const a = lastPingPongReport(program.output());
    await sleep(WINDOW_MS);
    const b = lastPingPongReport(program.output());
    return (b.cpuNs - a.cpuNs) / (b.handoffs - a.handoffs);
  };
  const conditions: Condition[] = ['without', 'default', 'coarse'];
  const rounds: Record<Condition, number>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = { without: NaN, default: NaN, coarse: NaN };
    for (let i = 0; i < conditions.length; i++) {
      const condition = conditions[(i + r) % conditions.length] ?? 'without';
      if (condition === 'without') {
        round.without = await window();
        continue;
      }
      const recording = await record(sidecars[condition], program.pid);
      round[condition] = await window();
      await recording.stop();
    }
    rounds.push(round);
    process.stdout.write(
      `switch cost round ${r + 1}: CPU ns per hand-off: without ${round.without.toFixed(0)}, default ${round.default.toFixed(0)}, coarse ${round.coarse.toFixed(0)}\n`,
    );
  }
  const of = (c: Condition): number => median(rounds.map((r) => r[c]));
  return {
    perHandoff: { without: of('without'), default: of('default'), coarse: of('coarse') },
    added: {
      default: rounds.map((r) => r.default - r.without),
      coarse: rounds.map((r) => r.coarse - r.without),
    },
  };
}

/** The part's lines of the bench's report. */
export function describeSwitchCost(cost: SwitchCost): string {
  const row = (c: 'default' | 'coarse', label: string): string => {
    const added = median(cost.added[c]);
    return `| ${label} | ${cost.perHandoff.without.toFixed(0)} | ${cost.perHandoff[c].toFixed(0)} | **${(added / 1000).toFixed(2)} µs** (${cost.added[c].map((a) => (a / 1000).toFixed(2)).join(', ')}) | ${((added / cost.perHandoff.without) * 100).toFixed(1)} % |`;
  };
  return [
    `ping-pong (two threads on one CPU, a blocking switch every ~20 µs of work); ${ROUNDS} rounds of ${WINDOW_MS / 1000}-s windows in turning order`,
    '',
    "| recording | CPU ns per hand-off, unrecorded | recorded | added per blocking switch (median; each round) | of the program's CPU |",
    '|---|---|---|---|---|',
    row('default', 'offcpu, defaults (≥ 10 µs)'),
    row('coarse', 'offcpu, FURNACE_SCHED_MIN_BLOCKED_US=1000'),
    '',
  ].join('\n');
}
