// npm run bench:webhook — AdmissionReviews per second and latency of POST /mutate over HTTPS with
// keep-alive, against a bare Fastify HTTPS route that echoes the same body, in the same run; then p99 at
// a fixed 1,000 requests/s. The servers run in a child process so that the client does not share their
// event loop. Bounded: about 30 s in all.
import { once } from 'node:events';
import { Agent, request } from 'node:https';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { parseInjectionConfig } from '../../core/injection/injection-config.ts';
import { buildWebhookApp } from '../../server/webhook/build-webhook-app.ts';
import { generateDevCertificates } from '../../server/webhook/tls.ts';
import { fork, type ChildProcess } from '../harness/child-processes.ts';
import { portOf } from '../harness/ports.ts';
import { percentile } from '../harness/stats.ts';
import { realisticReview } from './webhook-review.ts';

const CONCURRENCY = 16;
const WARMUP_MS = 2_000;
const MEASURE_MS = 8_000;
const ROUNDS = 4;
const FIXED_RATE = 1_000;
const FIXED_MS = 5_000;
const FIXED_WARMUP_MS = 1_000;

interface Ports {
  webhook: number;
  echo: number;
  caPem: string;
}

async function serve(): Promise<void> {
  const certs = await generateDevCertificates();
  const https = { key: certs.keyPem, cert: certs.certPem };
  const webhook = buildWebhookApp({ config: parseInjectionConfig({}), https });
  const echo = Fastify({ https, bodyLimit: 3 * 1024 * 1024 });
  echo.post('/echo', (req) => req.body);
  await webhook.listen({ host: '127.0.0.1', port: 0 });
  await echo.listen({ host: '127.0.0.1', port: 0 });
  const ports: Ports = {
    webhook: portOf(webhook.server),
    echo: portOf(echo.server),
    caPem: certs.caPem,
  };
  process.send?.(ports);
  process.on('disconnect', () => {
    void Promise.all([webhook.close(), echo.close()]).then(() => process.exit(0));
  });
}

function post(agent: Agent, port: number, path: string, body: Buffer, ca: string): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        ca,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
}

interface Target {
  port: number;
  path: string;
}

/**
 * Closed loop, CONCURRENCY requests in flight. The two targets take turns in short slices, so that load
 * from other processes on a shared machine falls on both alike and the ratio stays meaningful.
 */
async function closedLoops(targets: Target[], body: Buffer, ca: string): Promise<Result[]> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: CONCURRENCY }));
  const latencies: number[][] = targets.map(() => []);
  const elapsed: number[] = targets.map(() => 0);
  const slice = async (index: number, ms: number, record: boolean): Promise<void> => {
    const target = targets[index];
    const agent = agents[index];
    if (!target || !agent) return;
    const sink = latencies[index] ?? [];
    const start = performance.now();
    const worker = async (): Promise<void> => {
      while (performance.now() - start < ms) {
        const latency = await post(agent, target.port, target.path, body, ca);
        if (record) sink.push(latency);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    if (record) elapsed[index] = (elapsed[index] ?? 0) + (performance.now() - start);
  };
  for (let i = 0; i < targets.length; i++) await slice(i, WARMUP_MS, false);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < targets.length; i++) await slice(i, MEASURE_MS / ROUNDS, true);
  }
  for (const agent of agents) agent.destroy();
  return latencies.map((l, i) => {
    l.sort((a, b) => a - b);
    return {
      perSecond: (l.length / (elapsed[i] ?? 1)) * 1000,
      p50: percentile(l, 50),
      p99: percentile(l, 99),
    };
  });
}

/** Open loop: requests sent on a fixed schedule, whatever the answers do, as an API server would. */
async function sendAtRate(
  agent: Agent,
  target: Target,
  body: Buffer,
  ca: string,
  ms: number,
): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < ms) {
    const due = Math.floor(((performance.now() - start) / 1000) * FIXED_RATE);
    for (; sent < due; sent++) {
      pending.push(
        post(agent, target.port, target.path, body, ca).then((latency) => void latencies.push(latency)),
      );
    }
    await sleep(1);
  }
  await Promise.all(pending);
  return latencies;
}

async function fixedRate(target: Target, body: Buffer, ca: string): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  // Open the connections and settle at the rate first: TLS handshakes are not what this measures.
  await Promise.all(Array.from({ length: 64 }, () => post(agent, target.port, target.path, body, ca)));
  await sendAtRate(agent, target, body, ca, FIXED_WARMUP_MS);
  const latencies = await sendAtRate(agent, target, body, ca, FIXED_MS);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / (FIXED_MS / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

function line(name: string, r: Result): string {
  return `| ${name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`;
}

async function main(): Promise<void> {
  const child: ChildProcess = fork(import.meta.filename, ['serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [ports] = (await once(child, 'message')) as [Ports];
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    const body = Buffer.from(JSON.stringify(realisticReview()));
    const targets = [
      { port: ports.webhook, path: '/mutate' },
      { port: ports.echo, path: '/echo' },
    ];
    const [webhook, echo] = await closedLoops(targets, body, ports.caPem);
    if (!webhook || !echo) throw new Error('no results');
    const fixed = await fixedRate({ port: ports.webhook, path: '/mutate' }, body, ports.caPem);
    // The same open loop against the echo: what the machine and the client alone add to the tail.
    const fixedEcho = await fixedRate({ port: ports.echo, path: '/echo' }, body, ports.caPem);
    const cpu = cpus();
    const out = [
      `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}, load average before the run ${load}`,
      `request: AdmissionReview of ${body.length} bytes (3 containers, 40 env vars, 6 volumes); ${CONCURRENCY} keep-alive connections; each route ${MEASURE_MS / 1000} s in ${ROUNDS} alternating slices after ${WARMUP_MS / 1000} s warm-up`,
      '',
      '| route | requests/s | p50 ms | p99 ms |',
      '|---|---|---|---|',
      line('POST /mutate (furnace webhook)', webhook),
      line('POST /echo (bare Fastify HTTPS echo)', echo),
      line(
        `POST /mutate at a fixed ${FIXED_RATE} req/s (${FIXED_MS / 1000} s after ${FIXED_WARMUP_MS / 1000} s)`,
        fixed,
      ),
      line(`POST /echo at a fixed ${FIXED_RATE} req/s (the same schedule)`, fixedEcho),
      '',
      `ratio webhook/echo: ${(webhook.perSecond / echo.perSecond).toFixed(2)}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    child.disconnect();
    if (child.exitCode === null) await once(child, 'exit');
  }
}

if (process.argv[2] === 'serve') await serve();
else await main();
