// `npm run bench:kube-requests`: what a request to the real API server costs through kube/kube-request.ts
// (the server's reviews, leases and catalog entries, the operator's applier, the CLI), on a connection kept
// between requests, against the baseline of the same request on client-node's agent for the kubeconfig, which
// opens a new connection for each (what kube-request.ts did before). REQUESTS SelfSubjectReviews one after
// another per round, rounds interleaving the two ways; for each, the median per request of this process's
// CPU, the API server's CPU (/proc) and the wall time. Judged by the CPU ratios, which load moves far less
// than the wall: this process's ≤ 0.4× the baseline's, the API server's ≤ 0.75×.
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { sendWithKubeConfig, type KubeSendOptions } from '../../kube/kube-request.ts';
import { getControlPlane } from '../harness/control-plane.ts';
import { cpuMs } from '../harness/process-usage.ts';
import { load, machine, median, utcNow } from './machine.ts';

const REQUESTS = Number(process.env.FURNACE_BENCH_REQUESTS ?? 200);
const ROUNDS = Number(process.env.FURNACE_BENCH_ROUNDS ?? 4);
const TARGET = { own: 0.4, apiServer: 0.75 };

/** The baseline: the request on client-node's agent for the kubeconfig, a new connection each time. */
async function sendOnNewConnection(kc: KubeConfig, options: KubeSendOptions): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const requestOptions: RequestOptions = { method: options.method, headers: { ...options.headers } };
  await kc.applyToHTTPSOptions(requestOptions);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(`${cluster.server}${options.path}`), requestOptions, resolve);
    req.on('error', reject);
    req.end(options.body);
  });
}

const WAYS = [
  { label: 'a new connection per request (the baseline)', send: sendOnNewConnection },
  { label: 'kept connection (kube-request.ts)', send: sendWithKubeConfig },
];

const REVIEW: KubeSendOptions = {
  method: 'POST',
  path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
};

function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e3;
}

interface Round {
  ownMs: number;
  apiServerMs: number;
  wallMs: number;
}

async function round(kc: KubeConfig, apiServerPid: number, way: (typeof WAYS)[number]): Promise<Round> {
  const own = ownCpuMs();
  const apiServer = await cpuMs(apiServerPid);
  const start = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await way.send(kc, REVIEW);
    for await (const _ of res);
    if (res.statusCode !== 201) throw new Error(`${way.label}: the review answered ${res.statusCode}`);
  }
  return {
    wallMs: (performance.now() - start) / REQUESTS,
    ownMs: (ownCpuMs() - own) / REQUESTS,
    apiServerMs: ((await cpuMs(apiServerPid)) - apiServer) / REQUESTS,
  };
}

async function main(): Promise<void> {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  const loadBefore = load();
  for (const way of WAYS) await round(kc, cp.apiserverPid, way); // warm both ways up
  const rounds = WAYS.map(() => [] as Round[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < WAYS.length; k++) {
      const i = (r + k) % WAYS.length;
      (rounds[i] as Round[]).push(await round(kc, cp.apiserverPid, WAYS[i] as (typeof WAYS)[number]));
    }
  }
  const medians = rounds.map((rs) => ({
    ownMs: median(rs.map((r) => r.ownMs)),
    apiServerMs: median(rs.map((r) => r.apiServerMs)),
    wallMs: median(rs.map((r) => r.wallMs)),
  }));
  const base = medians[0] as Round;
  const rows = WAYS.map((way, i) => {
    const m = medians[i] as Round;
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    const met = m.ownMs / base.ownMs <= TARGET.own && m.apiServerMs / base.apiServerMs <= TARGET.apiServer;
    const verdict = i === 1 ? (met ? ' met' : ' MISSED') : '';
    return `| ${way.label} | ${m.ownMs.toFixed(2)} ms (**${ratio(m.ownMs, base.ownMs)}**) | ${m.apiServerMs.toFixed(2)} ms (**${ratio(m.apiServerMs, base.apiServerMs)}**) | ${m.wallMs.toFixed(2)} ms (${ratio(m.wallMs, base.wallMs)})${verdict} |`;
  });
  process.stdout.write(
    [
      `machine: ${machine()}`,
      `${utcNow()}, ${ROUNDS} rounds of ${REQUESTS} SelfSubjectReviews interleaved, load average at start ${loadBefore}, at end ${load()}`,
      '',
      `| way | this process's CPU a request (target ≤ ${TARGET.own}×) | the API server's CPU a request (≤ ${TARGET.apiServer}×) | wall a request |`,
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

await main();
process.exit(0);
