// Stop → finished flame graph through the real sidecar process: two busy processes (2 CPUs) recorded at
// 999 Hz for 6 s, about the samples of 60 s × 99 Hz × 2 CPUs; the clock runs from POST /stop until the
// recording is done, and each stage is timed by polling. Bounded: 3 rounds, about a minute.
// Run: node --import tsx test/bench/sidecar-stop-to-graph.ts
import { cpus } from 'node:os';
import type { TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { startProcess } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startFakeRegistrationServer, startSidecar } from '../process/sidecar-harness.ts';

const ROUNDS = 3;
const cleanups: (() => unknown)[] = [];
const t = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;

async function round(sidecar: Awaited<ReturnType<typeof startSidecar>>): Promise<string> {
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
  const f = (ms: number | undefined): string => (ms === undefined ? '–' : `${ms.toFixed(0)} ms`);
  return `| ${status.samples ?? 0} | **${f(stages.done)}** | ${f(stages.script)} | ${f(stages.collapse)} | ${f(stages.render)} | ${f(stages.upload)} |`;
}

async function main(): Promise<void> {
  const dir = await workDir(t, 'bench-stop');
  const program = await buildHotProgram(dir);
  startProcess(t, program, ['600']);
  startProcess(t, program, ['600']);
  const server = await startFakeRegistrationServer(t, 'bench-secret');
  const sidecar = await startSidecar(t, server, 'bench-secret');
  const rows: string[] = [];
  for (let i = 0; i < ROUNDS; i++) rows.push(await round(sidecar));
  process.stdout.write(
    [
      `machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, Node ${process.version}`,
      '',
      '| samples | stop → done | → script starts | → collapse starts | → render starts | → upload starts |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
