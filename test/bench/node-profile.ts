// bench:node-profile — the throughput a Node.js HTTP server loses while the node profiler records it. The
// server (Node 24, started with no flag) answers each request with a JSON document it builds and hashes;
// a closed loop of 8 keep-alive connections from this process loads it (http-load.ts). The real sidecar
// records it through its API (POST /recordings, profiler node): SIGUSR1, V8's CPU profiler over the
// inspector, the inspector closed at the stop. Each round has a window without a recording and one with
// it, in an order that turns every round; the loss is the median over rounds of each round's ratio, in
// requests per second and in requests per CPU-second of the server (which other work on a shared machine
// does not move: on two cores shared with other builds, req/s moves by tens of percent a window). At the
// default 99 Hz (a sample every 10,101 µs) and at 999 Hz (about V8's own 1,000 µs default).
// Goal: ≤ 3 % lost at 99 Hz. Run: npm run bench:node-profile (about 2 minutes).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { freePort } from '../harness/ports.ts';
import { startProcess } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { median } from '../harness/stats.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startFakeRegistrationServer, startSidecar } from '../process/sidecar-harness.ts';
import { runBench } from './bench-kit.ts';
import { runLoad, waitHttp, type LoadTarget } from './http-load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const WINDOW_SECONDS = 5;
const CONNECTIONS = 8;
const FREQUENCIES = [99, 999];

const SERVER = `import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
function buildDocument(n) {
  const items = [];
  for (let i = 0; i < 200; i++) items.push({ id: n * 1000 + i, name: 'item-' + i, tags: ['a', 'b', String(i % 7)] });
  return JSON.stringify({ n, items });
}
let served = 0;
createServer((request, response) => {
  const body = buildDocument(served++);
  response.setHeader('etag', createHash('sha256').update(body).digest('hex'));
  response.setHeader('content-type', 'application/json');
  response.end(body);
}).listen(Number(process.argv[2]), '127.0.0.1');
`;

const lost = (ratio: number): string => `${((1 - ratio) * 100).toFixed(1)} %`;

type Sidecar = Awaited<ReturnType<typeof startSidecar>>;

async function startRecording(sidecar: Sidecar, pid: number, frequency: number): Promise<string> {
  const start = await sidecar.call('POST', '/recordings', {
    profiler: 'node',
    pid,
    frequency,
    durationSeconds: 600,
  });
  if (start.status !== 202) throw new Error(start.text);
  const { id } = start.json as RecordingStatus;
  // The window starts once the profiler runs (the inspector opened, the profile started).
  await sidecar.waitFor(id, (status) => status.state === 'recording' || finished(status));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return id;
}

async function stopRecording(sidecar: Sidecar, id: string): Promise<RecordingStatus> {
  await sidecar.call('POST', `/recordings/${id}/stop`);
  const status = await sidecar.waitFor(id, finished);
  if (status.state !== 'done') throw new Error(`recording ${id}: ${status.error ?? status.state}`);
  return status;
}

await runBench('bench:node-profile', async ({ t }) => {
  const dir = await workDir(t, 'bench-node-profile');
  const port = await freePort();
  await writeFile(join(dir, 'server.mjs'), SERVER);
  const server = startProcess(t, process.execPath, [join(dir, 'server.mjs'), String(port)]);
  await waitHttp(port, '/');
  const registration = await startFakeRegistrationServer(t, 'bench-secret');
  const sidecar = await startSidecar(t, registration, 'bench-secret');
  const target: LoadTarget = { port, path: '/', headers: {}, watched: () => Promise.resolve([[server.pid]]) };
  await runLoad(target, CONNECTIONS, 2); // warm-up: V8 optimizes the server's code before any window

  const lines: string[] = [];
  for (const frequency of FREQUENCIES) {
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const recordedFirst = round % 2 === 1;
      const rps: Record<'bare' | 'recorded', number> = { bare: 0, recorded: 0 };
      const perCpu: Record<'bare' | 'recorded', number> = { bare: 0, recorded: 0 };
      for (const recorded of recordedFirst ? [true, false] : [false, true]) {
        const id = recorded ? await startRecording(sidecar, server.pid, frequency) : undefined;
        const load = await runLoad(target, CONNECTIONS, WINDOW_SECONDS);
        if (load.errors > 0) throw new Error(`${load.errors} requests failed`);
        rps[recorded ? 'recorded' : 'bare'] = load.latencies.length / load.seconds;
        perCpu[recorded ? 'recorded' : 'bare'] = load.latencies.length / ((load.cpuMs[0] ?? 0) / 1000);
        if (id !== undefined) {
          const status = await stopRecording(sidecar, id);
          if ((status.samples ?? 0) === 0) throw new Error(`recording ${id} has no samples`);
        }
      }
      ratios.push(rps.recorded / rps.bare);
      cpuRatios.push(perCpu.recorded / perCpu.bare);
      lines.push(
        `| ${frequency} Hz | ${round + 1} | ${rps.bare.toFixed(0)} | ${rps.recorded.toFixed(0)} | ${lost(rps.recorded / rps.bare)} | ${perCpu.bare.toFixed(0)} | ${perCpu.recorded.toFixed(0)} | ${lost(perCpu.recorded / perCpu.bare)} |`,
      );
    }
    lines.push(
      `| ${frequency} Hz | median | | | **${lost(median(ratios))}** | | | **${lost(median(cpuRatios))}** |`,
    );
  }
  process.stdout.write(
    [
      `Node ${process.version} HTTP server (pid ${server.pid}), ${CONNECTIONS} connections, ${WINDOW_SECONDS} s windows`,
      '',
      '| frequency | round | req/s unrecorded | req/s recorded | lost | req per CPU-s unrecorded | recorded | lost |',
      '|---|---|---|---|---|---|---|---|',
      ...lines,
      '',
      'goal: ≤ 3 % lost at 99 Hz',
      '',
    ].join('\n'),
  );
});
