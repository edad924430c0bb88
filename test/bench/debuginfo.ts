// bench:debuginfo — what naming a stripped binary from debuginfod costs between Stop and the graph. The C hot
// program runs twice: built with its symbols (the baseline: perf names it from the binary itself) and
// stripped, its debug file (padded to BENCH_DEBUG_MB, 50 MB, with a section perf never reads, as large
// debug files are) served by a real debuginfod (Debian's, on loopback). One real sidecar process records
// each in turn, 3 rounds: local symbols, stripped with an empty debug-file cache (the fetch), stripped again
// (the cache). Stop → graph runs from POST /stop until the render stage starts (the stacks are folded).
// Goals: fetch ≤ 1.5× local, cached ≤ 1.05× local (medians). Run: npm run bench:debuginfo
import { randomBytes } from 'node:crypto';
import { rm, stat, writeFile } from 'node:fs/promises';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { startDebuginfod } from '../harness/debuginfod-server.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { run, startProcess } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { median } from '../harness/stats.ts';
import { buildStrippedC } from '../harness/stripped-programs.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startFakeRegistrationServer, startSidecar } from '../process/sidecar-harness.ts';
import { runBench } from './bench-kit.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DEBUG_MB = Number(process.env.BENCH_DEBUG_MB ?? 50);
const RECORD_MS = 4000;
const FREQUENCY = 499;

type Sidecar = Awaited<ReturnType<typeof startSidecar>>;
type Kind = 'local' | 'fetch' | 'cached';

interface Measured {
  toGraphMs: number;
  samples: number;
  /** Share of the samples in the two named hot functions: proof that the names were there. */
  named: number;
}

async function recordOnce(sidecar: Sidecar, pid: number): Promise<Measured> {
  const start = await sidecar.call('POST', '/recordings', {
    pid,
    frequency: FREQUENCY,
    durationSeconds: 600,
    callGraph: 'fp',
  });
  if (start.status !== 202) throw new Error(start.text);
  const { id } = start.json as RecordingStatus;
  await new Promise((resolve) => setTimeout(resolve, RECORD_MS));
  const t0 = performance.now();
  await sidecar.call('POST', `/recordings/${id}/stop`);
  let toGraphMs: number | undefined;
  let status: RecordingStatus;
  for (;;) {
    status = (await sidecar.call('GET', `/recordings/${id}`)).json as RecordingStatus;
    if (
      toGraphMs === undefined &&
      (status.stage === 'render' || status.stage === 'upload' || finished(status))
    )
      toGraphMs = performance.now() - t0;
    if (finished(status)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (status.state !== 'done') throw new Error(`recording ${id}: ${status.error ?? status.state}`);
  const folded = await sidecar.artifact(id, 'stacks.folded');
  const samples = status.samples ?? 0;
  const hot = samplesOf(folded, 'furnace_heavy') + samplesOf(folded, 'furnace_light');
  return { toGraphMs: toGraphMs ?? 0, samples, named: samples === 0 ? 0 : hot / samples };
}

/** Pads the debug file to `megabytes` with a section that is neither loaded nor read for symbols. */
async function padDebugFile(file: string, dir: string, megabytes: number): Promise<number> {
  const padding = `${dir}/padding.bin`;
  const missing = megabytes * 1e6 - (await stat(file)).size;
  await writeFile(padding, randomBytes(Math.max(0, missing)));
  await run('objcopy', ['--add-section', `.furnace_padding=${padding}`, file]);
  await rm(padding);
  return (await stat(file)).size;
}

await runBench('bench:debuginfo', async ({ t }) => {
  const dir = await workDir(t, 'bench-debuginfo');
  const local = await buildHotProgram(
    dir,
    ['-g', '-DFURNACE_BUILD_TAG="bench-local"'],
    'furnace-bench-local',
  );
  const stripped = await buildStrippedC(dir, `bench${process.pid}`);
  const debugBytes = await padDebugFile(stripped.debugFile, dir, DEBUG_MB);
  const debuginfod = await startDebuginfod(t);
  await debuginfod.serve(stripped.debugFile, stripped.buildId);
  const dataDir = await workDir(t, 'bench-debuginfo-data');
  const server = await startFakeRegistrationServer(t, 'bench-secret');
  const sidecar = await startSidecar(t, server, 'bench-secret', {
    DEBUGINFOD_URLS: debuginfod.url,
    FURNACE_SIDECAR_DATA: dataDir,
  });
  const pids: Record<'local' | 'stripped', number> = {
    local: startProcess(t, local, ['600', '50']).pid,
    stripped: startProcess(t, stripped.program, ['600', '50']).pid,
  };

  const measured: Record<Kind, Measured[]> = { local: [], fetch: [], cached: [] };
  const rows: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The local recording goes first, then last, so neither side always records a warmer machine.
    const order: Kind[] = round % 2 === 0 ? ['local', 'fetch', 'cached'] : ['fetch', 'cached', 'local'];
    for (const kind of order) {
      if (kind === 'fetch') await rm(`${dataDir}/debuginfo`, { recursive: true, force: true });
      const m = await recordOnce(sidecar, kind === 'local' ? pids.local : pids.stripped);
      measured[kind].push(m);
      rows.push(
        `| ${round + 1} | ${kind} | ${m.samples} | ${Math.round(m.named * 100)} % | ${m.toGraphMs.toFixed(0)} ms |`,
      );
    }
  }
  const medianMs = (kind: Kind): number => median(measured[kind].map((m) => m.toGraphMs));
  const fetchRatio = medianMs('fetch') / medianMs('local');
  const cachedRatio = medianMs('cached') / medianMs('local');
  process.stdout.write(
    [
      `debug file ${(debugBytes / 1e6).toFixed(1)} MB from debuginfod ${debuginfod.url} (asked ${debuginfod.requests(stripped.buildId)} times); ${RECORD_MS / 1000} s recordings at ${FREQUENCY} Hz`,
      '',
      '| round | symbols | samples | in the named hot functions | stop → graph |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `medians: local ${medianMs('local').toFixed(0)} ms, fetch ${medianMs('fetch').toFixed(0)} ms, cached ${medianMs('cached').toFixed(0)} ms`,
      `fetch / local ${fetchRatio.toFixed(2)}× (goal ≤ 1.5×: ${fetchRatio <= 1.5 ? 'met' : 'not met'}); ` +
        `cached / local ${cachedRatio.toFixed(2)}× (goal ≤ 1.05×: ${cachedRatio <= 1.05 ? 'met' : 'not met'})`,
      '',
    ].join('\n'),
  );
});
