// bench:callgraph — what `callGraph: auto` costs when it chooses dwarf: Debian's nginx (no frame pointers)
// under load, its worker recorded through the real sidecar process (local mode, fake registration server)
// with `auto` (which chooses dwarf) and with `fp`, alternating in one run. Per recording: samples,
// perf.data bytes (as uploaded to the registration server) and per sample, and stop → graph (POST /stop
// until the render stage starts, when the stacks are folded) and stop → done (every artifact uploaded).
// The ratios are dwarf's medians over fp's. Each recording samples at 999 Hz for 6 s, about the samples of a
// minute at the default 99 Hz (as bench:sidecar). Bounded: BENCH_ROUNDS (3) rounds of two recordings.
// Run: npm run bench:callgraph
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { loadNginx, startNginx } from '../harness/nginx.ts';
import { finished } from '../harness/recording-status.ts';
import { median } from '../harness/stats.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startFakeRegistrationServer, startSidecar, type FakeServer } from '../process/sidecar-harness.ts';
import { runBench } from './bench-kit.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RECORD_MS = 6000;
const FREQUENCY = 999;

interface Measured {
  used: string;
  reason: string;
  samples: number;
  bytes: number;
  toGraphMs: number;
  toDoneMs: number;
}

type Sidecar = Awaited<ReturnType<typeof startSidecar>>;

async function recordOnce(
  sidecar: Sidecar,
  server: FakeServer,
  pid: number,
  callGraph: string,
): Promise<Measured> {
  const start = await sidecar.call('POST', '/recordings', {
    pid,
    callGraph,
    frequency: FREQUENCY,
    durationSeconds: 600,
  });
  if (start.status !== 202) throw new Error(start.text);
  const started = start.json as RecordingStatus;
  await new Promise((resolve) => setTimeout(resolve, RECORD_MS));
  const t0 = performance.now();
  await sidecar.call('POST', `/recordings/${started.id}/stop`);
  let toGraphMs: number | undefined;
  let status: RecordingStatus;
  for (;;) {
    status = (await sidecar.call('GET', `/recordings/${started.id}`)).json as RecordingStatus;
    if (
      toGraphMs === undefined &&
      (status.stage === 'render' || status.stage === 'upload' || finished(status))
    )
      toGraphMs = performance.now() - t0;
    if (finished(status)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const toDoneMs = performance.now() - t0;
  if (status.state !== 'done') throw new Error(`recording ${status.id}: ${status.error ?? status.state}`);
  const perfData = server.uploads.get(`/api/v1/recordings/${status.id}/artifacts/perf.data`);
  if (perfData === undefined) throw new Error(`recording ${status.id} uploaded no perf.data`);
  return {
    used: status.callGraphUsed ?? '?',
    reason: status.callGraphReason ?? '',
    samples: status.samples ?? 0,
    bytes: perfData.length,
    toGraphMs: toGraphMs ?? toDoneMs,
    toDoneMs,
  };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const ms = (value: number): string => `${value.toFixed(0)} ms`;

function row(asked: string, m: Measured): string {
  const perSample = m.samples === 0 ? '–' : `${(m.bytes / m.samples / 1024).toFixed(1)} KiB`;
  return `| ${asked} → ${m.used} | ${m.samples} | ${mb(m.bytes)} | ${perSample} | ${ms(m.toGraphMs)} | ${ms(m.toDoneMs)} |`;
}

await runBench('bench:callgraph', async ({ t }) => {
  const nginx = await startNginx(t, await workDir(t, 'bench-callgraph'));
  const load = loadNginx(nginx.url, 4);
  t.after(() => load.stop());
  const server = await startFakeRegistrationServer(t, 'bench-secret');
  const sidecar = await startSidecar(t, server, 'bench-secret');
  const auto: Measured[] = [];
  const fp: Measured[] = [];
  const rows: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating which goes first, so neither always records a warmer nginx.
    const order = round % 2 === 0 ? ['auto', 'fp'] : ['fp', 'auto'];
    for (const asked of order) {
      const measured = await recordOnce(sidecar, server, nginx.workerPid, asked);
      (asked === 'auto' ? auto : fp).push(measured);
      rows.push(row(asked, measured));
    }
  }
  const ratio = (pick: (m: Measured) => number): string =>
    `${(median(auto.map(pick)) / median(fp.map(pick))).toFixed(2)}×`;
  process.stdout.write(
    [
      `nginx worker ${nginx.workerPid}, ${RECORD_MS / 1000} s recordings at ${FREQUENCY} Hz; auto chose ${auto[0]?.used ?? '?'}: ${auto[0]?.reason ?? ''}`,
      '',
      '| callGraph | samples | perf.data | per sample | stop → graph | stop → done |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
      `dwarf / fp (medians): perf.data ${ratio((m) => m.bytes)}, per sample ${ratio((m) => m.bytes / Math.max(1, m.samples))}, ` +
        `stop → graph ${ratio((m) => m.toGraphMs)}, stop → done ${ratio((m) => m.toDoneMs)}`,
      '',
    ].join('\n'),
  );
});
