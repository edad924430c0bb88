// Stop → finished flame graph through the real sidecar process: two busy processes (2 CPUs) recorded at
// 999 Hz for 6 s, about the samples of 60 s × 99 Hz × 2 CPUs; the clock runs from POST /stop until the
// recording is done, and each stage is timed by polling. The baseline, in the same run: `perf script` with
// the sidecar's fields over the same recording's perf.data (the least a stop must do), timed after each
// round. Bounded: 3 rounds, about a minute.
// Run: node --import tsx test/bench/sidecar-stop-to-graph.ts
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { PERF_SCRIPT_FIELDS } from '../../sidecar/profilers/perf/perf-script.ts';
import { execFileSync } from '../harness/child-processes.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { startProcess } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startFakeRegistrationServer, startSidecar } from '../process/sidecar-harness.ts';
import { load, machine, median, utcNow } from './machine.ts';

const ROUNDS = 3;
const cleanups: (() => unknown)[] = [];
const t = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;

/** `perf script` with the sidecar's fields over a perf.data, to /dev/null: its wall time in ms. */
function perfScriptMs(perfData: string): number {
  const t0 = performance.now();
  execFileSync('sh', ['-c', `perf script -i '${perfData}' -F ${PERF_SCRIPT_FIELDS} > /dev/null 2>&1`]);
  return performance.now() - t0;
}

interface Round {
  row: string;
  doneMs: number;
  perfScriptMs: number;
}

async function round(sidecar: Awaited<ReturnType<typeof startSidecar>>, dataDir: string): Promise<Round> {
  const start = await sidecar.call('POST', '/recordings', {
    processPattern: 'furnace-hot 600$',
    frequency: 999,
    durationSeconds: 600,
  });
  if (start.status !== 202) throw new Error(start.text);
  const { id } = start.json as RecordingStatus;
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const stages: Record<string, number> = {};
  const t0 = performance.now();
  await sidecar.call('POST', `/recordings/${id}/stop`);
  let status: RecordingStatus;
  for (;;) {
    status = (await sidecar.call('GET', `/recordings/${id}`)).json as RecordingStatus;
    const key = finished(status) ? status.state : (status.stage ?? status.state);
    stages[key] ??= performance.now() - t0;
    if (finished(status)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (status.state === 'failed') throw new Error(status.error);
  const doneMs = stages.done ?? NaN;
  const baseline = perfScriptMs(join(dataDir, 'recordings', id, 'perf.data'));
  const f = (ms: number | undefined): string => (ms === undefined ? '–' : `${ms.toFixed(0)} ms`);
  const ratio = (doneMs / baseline).toFixed(2);
  const row = `| ${status.samples ?? 0} | **${f(doneMs)}** | ${f(baseline)} | ${ratio}× | ${f(stages.script)} | ${f(stages.collapse)} | ${f(stages.render)} | ${f(stages.upload)} |`;
  return { row, doneMs, perfScriptMs: baseline };
}

async function main(): Promise<void> {
  const dir = await workDir(t, 'bench-stop');
  const dataDir = await workDir(t, 'bench-stop-sidecar-data');
  const program = await buildHotProgram(dir);
  startProcess(t, program, ['600']);
  startProcess(t, program, ['600']);
  const server = await startFakeRegistrationServer(t, 'bench-secret');
  const sidecar = await startSidecar(t, server, 'bench-secret', { FURNACE_SIDECAR_DATA: dataDir });
  const loadBefore = load();
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(sidecar, dataDir));
  const done = median(rounds.map((r) => r.doneMs));
  const baseline = median(rounds.map((r) => r.perfScriptMs));
  process.stdout.write(
    [
      `machine: ${machine(true)}; ${utcNow()}; load ${loadBefore} → ${load()}`,
      '',
      '| samples | stop → done | perf script alone (same perf.data) | ratio | → script starts | → collapse starts | → render starts | → upload starts |',
      '|---|---|---|---|---|---|---|---|',
      ...rounds.map((r) => r.row),
      '',
      `medians: stop → done ${done.toFixed(0)} ms (goal ≤ 1 s: ${done <= 1000 ? 'met' : 'NOT met'}), ` +
        `perf script alone ${baseline.toFixed(0)} ms: ${(done / baseline).toFixed(2)}×`,
      '',
    ].join('\n'),
  );
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
