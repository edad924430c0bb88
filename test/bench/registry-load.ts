// What both registry benchmarks share (registry.ts: one server; registry-replicas.ts: N replicas): the
// 5,000 pods as the webhook injects them, with pod-bound tokens; one registration call; a round of calls
// spread evenly over the renewal period; the bare Fastify baseline; process figures.
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { DEFAULT_INJECTION_CONFIG } from '../../core/injection/injection-config.ts';
import { injectSidecar } from '../../core/injection/inject-sidecar.ts';
import { spawn, type ChildProcess } from '../harness/child-processes.ts';
import { createServiceAccountToken, RUN_ID } from '../harness/cluster.ts';
import { cpuMs, rssPartsKiB } from '../harness/process-usage.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildServerImageFiles, serverImage } from '../harness/server-image.ts';
import { buildDist } from '../process/server-processes.ts';

export const SIDECARS = Number(process.env.BENCH_SIDECARS ?? 5000);
export const RENEW_SECONDS = 15;
/** A well-formed pin nobody serves: a cluster registration needs one, and the benchmark proxies nothing. */
const PIN = 'A'.repeat(43);
export const failureSamples = new Map<string, number>();
/** Each simulated sidecar's review ticket from its last answer, shown back as the sidecar does (N replicas). */
const reviewTickets = new Map<string, string>();

/** A new install: the sidecars hold no ticket of it yet. */
export function forgetReviewTickets(): void {
  reviewTickets.clear();
}

export async function inBatches<T>(
  count: number,
  parallel: number,
  work: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}

/** A pod as the webhook (with its default injection config, which the server compares) leaves it. */
function injectedPod(name: string): V1Pod {
  return injectSidecar(
    {
      metadata: { name, labels: { [TEST_RUN_LABEL]: RUN_ID } },
      spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
    },
    DEFAULT_INJECTION_CONFIG,
  );
}

/** SIDECARS injected pods with an IP each, and a pod-bound token (audience furnace) for each. */
export async function createSidecarPods(kc: KubeConfig, namespace: string): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  return inBatches(SIDECARS, 16, async (i) => {
    const name = `sc-${i}`;
    const pod = await core.createNamespacedPod({ namespace, body: injectedPod(name) });
    const ip = `10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
    pod.status = { ...pod.status, podIP: ip, podIPs: [{ ip }], phase: 'Running' };
    await core.replaceNamespacedPodStatus({ namespace, name, body: pod });
    return createServiceAccountToken(kc, {
      namespace,
      serviceAccount: 'default',
      audiences: ['furnace'],
      boundPod: { name, uid: pod.metadata?.uid ?? '' },
    });
  });
}

export interface Target {
  agent: Agent;
  port: number;
  ca: string;
}

export interface Call {
  status: number;
  ms: number;
  /** When it was sent, ms since the epoch. */
  at: number;
}

export function register(target: Target, token: string): Promise<Call> {
  const at = Date.now();
  const start = performance.now();
  return new Promise((done) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: 'POST',
        path: '/api/v1/sidecars',
        agent: target.agent,
        ca: target.ca,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => {
          if (res.statusCode === 200) keepTicket(token, body);
          else reviewTickets.delete(token);
          if (res.statusCode !== 200 && token !== 'not-a-token') {
            const key = `${res.statusCode} ${body.slice(0, 160)}`;
            failureSamples.set(key, (failureSamples.get(key) ?? 0) + 1);
          }
          done({ status: res.statusCode ?? 0, ms: performance.now() - start, at });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (token !== 'not-a-token') {
        const key = `no answer: ${error.code ?? error.message}`;
        failureSamples.set(key, (failureSamples.get(key) ?? 0) + 1);
      }
      done({ status: 0, ms: performance.now() - start, at });
    });
    const reviewTicket = reviewTickets.get(token);
    req.end(JSON.stringify({ tlsPort: 12381, tlsPin: PIN, ...(reviewTicket ? { reviewTicket } : {}) }));
  });
}

function keepTicket(token: string, body: string): void {
  const ticket = (JSON.parse(body) as { reviewTicket?: unknown }).reviewTicket;
  if (typeof ticket === 'string') reviewTickets.set(token, ticket);
  else reviewTickets.delete(token);
}

/** Waits until the target answers at all (a refused probe token is an answer). */
export async function waitListening(target: Target): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await register(target, 'not-a-token')).status !== 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing answers on port ${target.port}`);
}

export interface ProcessStats {
  rssMiB: number;
  /** The anonymous share of the RSS (V8's heap, malloc, stacks) and the file-backed one (node's text). */
  anonMiB: number;
  fileMiB: number;
  cpuMs: number;
}

/**
 * RSS and CPU so far; zeros once the process has exited, so that a replica the kernel killed at its memory
 * limit is reported (OOM kills, at the end) instead of stopping the benchmark.
 */
export async function processStats(pid: number): Promise<ProcessStats> {
  try {
    const { rss, anon, file } = await rssPartsKiB(pid);
    return { rssMiB: rss / 1024, anonMiB: anon / 1024, fileMiB: file / 1024, cpuMs: await cpuMs(pid) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT once it is reaped, ESRCH while its /proc entry is read as it dies
    if (code === 'ENOENT' || code === 'ESRCH') return { rssMiB: 0, anonMiB: 0, fileMiB: 0, cpuMs: 0 };
    throw error;
  }
}

/**
 * One round: every sidecar registers once, spread evenly over RENEW_SECONDS, as renewals are, each
 * through the target `pick` chooses for it.
 */
export async function round(
  tokens: string[],
  pick: (i: number) => Target,
): Promise<{ ms: number[]; failures: number; calls: Call[] }> {
  const spacing = (RENEW_SECONDS * 1000) / tokens.length;
  const start = performance.now();
  const calls = tokens.map(async (token, i) => {
    const wait = start + i * spacing - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return register(pick(i), token);
  });
  const results = await Promise.all(calls);
  const rest = start + RENEW_SECONDS * 1000 - performance.now();
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  return {
    ms: results.map((r) => r.ms),
    failures: results.filter((r) => r.status !== 200).length,
    calls: results,
  };
}

// The baseline: what any HTTPS registration endpoint in Node costs, with no registry behind it.
const BASELINE_SERVER = `
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
const app = Fastify({ https: { key: readFileSync(process.env.KEY), cert: readFileSync(process.env.CERT) } });
app.post('/api/v1/sidecars', async () => ({ leaseSeconds: 30, proxyToken: 'baseline', uploadToken: 'baseline' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
`;

export function startBaseline(files: { keyFile: string; certFile: string }, port: number): ChildProcess {
  return spawn(process.execPath, ['--input-type=module', '-e', BASELINE_SERVER], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, KEY: files.keyFile, CERT: files.certFile, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * The server's script as the image runs it (Dockerfile.server's ENTRYPOINT: the bundle, built first), or
 * with BENCH_SERVER_ENTRY=dist the compiled dist/server/main.js as the image ran it before the bundle, to
 * compare the two in one session. Relative to the project, where the benchmark starts it.
 */
export async function serverEntry(): Promise<string> {
  if (process.env.BENCH_SERVER_ENTRY === 'dist') {
    buildDist();
    return 'dist/server/main.js';
  }
  await buildServerImageFiles();
  const [node, script] = serverImage().entrypoint;
  if (node !== 'node' || script === undefined)
    throw new Error('Dockerfile.server: ENTRYPOINT is not node <script>');
  return script;
}

/** The other variables Dockerfile.server's ENV sets (MALLOC_ARENA_MAX, NODE_ENV), for the server's environment. */
export function serverImageEnv(): Record<string, string> {
  const { NODE_OPTIONS: _nodeOptions, ...env } = serverImage().env;
  return env;
}

/** NODE_OPTIONS as Dockerfile.server sets it for the server image, or BENCH_SERVER_NODE_ARGS ('' for none). */
export async function serverNodeArgs(): Promise<string[]> {
  const dockerfile = await readFile(join(PROJECT_ROOT, 'Dockerfile.server'), 'utf8');
  const image = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? '';
  return (process.env.BENCH_SERVER_NODE_ARGS ?? image).split(' ').filter(Boolean);
}
