// `npm run bench:mcp`: the assistant's two costs a user waits for, each against a baseline in the same run.
// 1. The `record` tool's round trip for a 5 s recording (tool call → answer, through a running
//    `furnace mcp --server` session) against `furnace record` of the same pod in the same run (spawn →
//    exit, artifacts written), in interleaved rounds, on a local Furnace recording a busy program of this
//    machine. Goal: ≤ 1.1×. Beside them, in the same rounds: start → the done status known, in-process with
//    the reads `furnace record` and the tool make (held by the recorder until the end, cli/status-reads.ts)
//    against the same loop reading once a second (what both did before the held read). Goal: ≤ 1×.
// 2. The `summarize` tool on a catalogued recording of 100,000 unique stacks (put there by a stand-in
//    sidecar through the server's upload API): round trip, and the `furnace mcp` process's peak RSS over
//    its idle RSS (VmHWM − VmRSS before). Goal: ≤ 1 s and ≤ 50 MB. Fetching the same stacks.folded alone
//    is printed for context.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { runHotProgram } from '../harness/hot-program.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { callTool, startMcp, type McpSession } from '../harness/mcp-client.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { followToEnd } from '../../core/contract/status-follow.ts';
import type { FurnaceApi } from '../../cli/kube-api.ts';
import { createLocalApi } from '../../cli/local-api.ts';
import { startRecording } from '../../cli/record.ts';
import { statusReads, SYSTEM_CLOCK } from '../../cli/status-reads.ts';
import { freePort } from '../harness/ports.ts';
import { startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { runBench, type BenchContext } from './bench-kit.ts';
import { median } from './machine.ts';
import { syntheticFolded, uploadRecording } from './ui-stand-in.ts';

const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 3);
const SUMMARIZE_ROUNDS = 5;
const STACKS = 100_000;
const MB = 1024 * 1024;
const SECRET = 'bench-mcp-secret';

const ms = (n: number): string => `${n.toFixed(0)} ms`;

/** `node cli/bin.js ARGS` to its exit; its wall time in ms. */
async function timeCli(t: TestContext, args: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  const cli = startProcess(t, process.execPath, [join(PROJECT_ROOT, 'cli', 'bin.js'), ...args], { env });
  const code = await cli.exited;
  if (code !== 0) throw new Error(`furnace ${args.join(' ')} exited with ${code}: ${cli.output()}`);
  return performance.now() - start;
}

async function timeTool(session: McpSession, name: string, args: Record<string, unknown>): Promise<number> {
  const start = performance.now();
  const answer = await callTool(session, name, args);
  if (answer.isError) throw new Error(`${name}: ${answer.text}`);
  return performance.now() - start;
}

/**
 * Start → the done status known, for a 5 s recording: the reads held until the end, or (`polled`) the same
 * loop with every read answered at once, as a recorder from before the held read does: one read a second.
 */
async function timeFollow(api: FurnaceApi, pod: string, pattern: string, polled: boolean): Promise<number> {
  const base = `/namespaces/local/pods/${encodeURIComponent(pod)}/recordings`;
  const start = performance.now();
  const started = await startRecording(
    api,
    base,
    { durationSeconds: 5, processPattern: pattern },
    process.stderr,
  );
  const reads = statusReads(api, `${base}/${started.id}`, (raw) => raw as RecordingStatus);
  const status = await followToEnd(started, {
    reads: polled ? { ...reads, wait: () => reads.poll() } : reads,
    clock: SYSTEM_CLOCK,
    endsAt: Date.now() + 5000,
  });
  if (status.state !== 'done') throw new Error(`recording ${status.id} ${status.state}: ${status.error}`);
  return performance.now() - start;
}

async function recordRoundTrip(bench: BenchContext): Promise<void> {
  const { t } = bench;
  const server = await startLocalServer(t);
  const dir = await tempDir(t, 'furnace-bench-mcp-');
  const pattern = await runHotProgram(t, dir, 600, 50);
  const env = { FURNACE_KEY: server.key };
  const spawned = performance.now();
  const session = await startMcp(t, { args: ['--server', server.baseUrl], env });
  const started = performance.now() - spawned;
  const pod = hostname();
  const cli: number[] = [];
  const tool: number[] = [];
  const held: number[] = [];
  const polled: number[] = [];
  const api = createLocalApi({ server: server.baseUrl, env });
  for (let round = 0; round < ROUNDS; round++) {
    const cliArgs = [
      'record',
      pod,
      '--server',
      server.baseUrl,
      '-p',
      pattern,
      '-d',
      '5s',
      '-o',
      join(dir, `out-${round}`),
    ];
    const toolArgs = { pod, processPattern: pattern, durationSeconds: 5 };
    // Alternate which goes first, so the machine's minute weighs on both.
    if (round % 2 === 0) {
      cli.push(await timeCli(t, cliArgs, env));
      tool.push(await timeTool(session, 'record', toolArgs));
    } else {
      tool.push(await timeTool(session, 'record', toolArgs));
      cli.push(await timeCli(t, cliArgs, env));
    }
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const poll of order) (poll ? polled : held).push(await timeFollow(api, pod, pattern, poll));
  }
  const ratio = median(tool) / median(cli);
  const followRatio = median(held) / median(polled);
  process.stdout.write(
    `record, 5 s of ${pattern} (${ROUNDS} interleaved rounds):\n` +
      `  record tool round trip: median ${ms(median(tool))} (${tool.map(ms).join(', ')})\n` +
      `  furnace record (spawn → exit, artifacts written): median ${ms(median(cli))} (${cli.map(ms).join(', ')})\n` +
      `  ratio ${ratio.toFixed(2)}× (goal ≤ 1.1×: ${ratio <= 1.1 ? 'met' : 'MISSED'}); furnace mcp start → initialized ${ms(started)} (once per session)\n` +
      `  start → done known, held reads: median ${ms(median(held))} (${held.map(ms).join(', ')})\n` +
      `  start → done known, a read a second: median ${ms(median(polled))} (${polled.map(ms).join(', ')})\n` +
      `  ratio ${followRatio.toFixed(2)}× (goal ≤ 1×: ${followRatio <= 1 ? 'met' : 'MISSED'}), ${ms(median(polled) - median(held))} sooner\n`,
  );
}

/** VmRSS and VmHWM of a process, in bytes. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

async function summarizeLarge(bench: BenchContext): Promise<void> {
  const { t } = bench;
  const recorderPort = await freePort();
  const server = await startLocalServer(t, {
    localSidecar: false,
    env: { FURNACE_REGISTRATION_SECRET: SECRET, FURNACE_RECORDER_PORT: String(recorderPort) },
  });
  const folded = syntheticFolded(STACKS);
  const id = 'bench-mcp-100k';
  await uploadRecording(`http://127.0.0.1:${recorderPort}`, SECRET, { id, folded });
  const session = await startMcp(t, { args: ['--server', server.baseUrl], env: { FURNACE_KEY: server.key } });
  const pid = session.pid();
  await callTool(session, 'list', {});
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = await memoryOf(pid);
  const times: number[] = [];
  for (let round = 0; round < SUMMARIZE_ROUNDS; round++)
    times.push(await timeTool(session, 'summarize', { id }));
  const after = await memoryOf(pid);
  const fetches: number[] = [];
  for (let round = 0; round < SUMMARIZE_ROUNDS; round++) {
    const start = performance.now();
    const answer = await fetch(`${server.baseUrl}/api/v1/recordings/${id}/artifacts/stacks.folded`, {
      headers: server.headers,
    });
    await answer.arrayBuffer();
    fetches.push(performance.now() - start);
  }
  const over = (after.peak - idle.rss) / MB;
  const time = median(times);
  process.stdout.write(
    `summarize, ${STACKS.toLocaleString('en')} unique stacks (${(folded.length / 1e6).toFixed(1)} MB folded), ${SUMMARIZE_ROUNDS} rounds:\n` +
      `  summarize tool round trip: median ${ms(time)} (${times.map(ms).join(', ')}) (goal ≤ 1 s: ${time <= 1000 ? 'met' : 'MISSED'})\n` +
      `  furnace mcp RSS idle ${(idle.rss / MB).toFixed(1)} MB, peak ${(after.peak / MB).toFixed(1)} MB: ` +
      `${over.toFixed(1)} MB over idle (goal ≤ 50 MB: ${over <= 50 ? 'met' : 'MISSED'})\n` +
      `  (context) fetching stacks.folded alone from the server: median ${ms(median(fetches))}\n`,
  );
}

await runBench('bench:mcp', async (bench) => {
  await summarizeLarge(bench);
  await recordRoundTrip(bench);
});
