// npm run bench:catalog — a shared catalog of BENCH_CATALOG_ENTRIES (the cap, 100,000, by default) RecordingEntry objects in
// one namespace of the real API server (the entries of a bucket-backed install, server/catalog/
// kube-entries.ts). Measured in one run:
// - how fast the entries are written (BENCH_CATALOG_CONCURRENCY creates at a time) and what they cost
//   etcd (its database size), on the first run only: the control plane's state is kept under
//   BENCH_CATALOG_STATE_DIR/<count> and a later run starts on it (writing only the entries it lacks);
// - a replica's cold start to ready with that many entries (its list of every entry), its RSS and its
//   memory group's peak under the Deployment's limit;
// - the first page of the catalog (`GET /api/v1/recordings?namespace=…&limit=50`) through the replica,
//   sequentially, p50 and p99 — against the same-run anchor, the API server's own first page of the
//   objects (`…/recordingentries?limit=50`), and their ratio.
// With BENCH_CATALOG_BEFORE=<dir> (a copy of the code before a change, its server bundle built there), a
// replica of that code and one of this code are started in turn, BENCH_CATALOG_ROUNDS times (2), one at
// a time, and the medians of each are printed: before and after in the same run, under the same load.
// Targets (issue 23): first page p99 ≤ 100 ms, cold start ≤ 30 s. Prints the machine and its load.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { MAX_SHARED_ENTRIES } from '../../core/crd/recording-entry-crd.ts';
import { SERVER_RESOURCES } from '../../operator/furnace/plan-server.ts';
import { createKubeRequest, type KubeRequest } from '../../kube/kube-request.ts';
import { s3StorageOf } from '../harness/catalog-stores.ts';
import { createNamespace, createUser, RUN_ID } from '../harness/cluster.ts';
import { startKeptControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { installCrds } from '../harness/crds.ts';
import { bearerCall } from '../harness/http.ts';
import { entriesPath, storedEntryIds, writeFilledEntries } from '../harness/recording-entries.ts';
import { quantityBytes, type MemoryGroup } from '../harness/memory-limit.ts';
import { startReplicas } from '../harness/replica-servers.ts';
import { startS3Server } from '../harness/s3-server.ts';
import { benchContext, loadAverage, runBench } from './bench-kit.ts';
import { serverEntry, serverNodeArgs } from './registry-load.ts';
import { oldSpaceFor } from '../../server/config/config-storage.ts';

// The most a bucket-backed install keeps (retention.maxCount is capped with storage.s3 in a cluster,
// server/config/config-storage.ts), the 100,000.
const ENTRIES = Number(process.env.BENCH_CATALOG_ENTRIES ?? MAX_SHARED_ENTRIES);
const CONCURRENCY = Number(process.env.BENCH_CATALOG_CONCURRENCY ?? 32);
/** Where the control plane's state is kept between runs, one directory per entry count. */
const STATE_ROOT = process.env.BENCH_CATALOG_STATE_DIR ?? '/tmp/furnace-bench-catalog';
/**
 * The kept state's directory: `<count>-perf9` since the entries are a real perf recording's (nine artifacts
 * with their keys, three processes); the `<count>` directories of earlier runs hold entries of two artifacts.
 */
const STATE = join(STATE_ROOT, `${ENTRIES}-perf9`);
const PAGE_CALLS = Number(process.env.BENCH_CATALOG_PAGES ?? 200);
/** BENCH_CATALOG_SEED_ONLY=1: write the entries into the kept state and stop (no replica, no cap check). */
const SEED_ONLY = process.env.BENCH_CATALOG_SEED_ONLY === '1';
/** A copy of the code before (its dist/bundle/server.mjs built), measured in turn with this code. */
const BEFORE = process.env.BENCH_CATALOG_BEFORE;
const ROUNDS = Number(process.env.BENCH_CATALOG_ROUNDS ?? (BEFORE ? 2 : 1));
const PAGE = 50;
/**
 * The heap a replica needs for ENTRIES (server/config/config-storage.ts refuses less): when it is more than
 * the image's, the replica runs with it and a memory limit 128 MiB above it, as the config error asks,
 * unless BENCH_SERVER_NODE_ARGS and BENCH_CATALOG_MEMORY_LIMIT say otherwise.
 */
const NEEDED_OLD_SPACE = oldSpaceFor(ENTRIES);
const IMAGE_OLD_SPACE = 128;
const MEMORY_LIMIT =
  process.env.BENCH_CATALOG_MEMORY_LIMIT ??
  (NEEDED_OLD_SPACE > IMAGE_OLD_SPACE ? `${NEEDED_OLD_SPACE + 128}Mi` : SERVER_RESOURCES.limits.memory);

/** The image's node flags, the old space raised to what ENTRIES need unless BENCH_SERVER_NODE_ARGS is set. */
async function replicaNodeArgs(): Promise<string[]> {
  const image = await serverNodeArgs();
  if (process.env.BENCH_SERVER_NODE_ARGS !== undefined) return image;
  return image.map((arg) =>
    arg.startsWith('--max-old-space-size=') && NEEDED_OLD_SPACE > Number(arg.split('=')[1])
      ? `--max-old-space-size=${NEEDED_OLD_SPACE}`
      : arg,
  );
}
/** Retention's byte quotas in the run: far above what the entries say their artifacts hold (about 66 MB each). */
const ROOMY_BYTES = 2 ** 50;
/** How long the replica may take to be ready before the run gives up (5 minutes: well past the target). */
const READY_TIMEOUT_MS = 300_000;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? NaN;
}

/** etcd's database size as the API server reports it (apiserver_storage_size_bytes), in bytes. */
async function etcdBytes(request: KubeRequest): Promise<number> {
  const answer = await request({ method: 'GET', path: '/metrics' });
  const text = typeof answer.body === 'string' ? answer.body : String(answer.body);
  const line = text.split('\n').find((l) => l.startsWith('apiserver_storage_size_bytes'));
  return Number(line?.split(' ').at(-1) ?? NaN);
}

async function timedCalls(count: number, call: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return samples;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** The namespace the entries are written to, the same in every run so that a kept state is reused. */
const NAMESPACE = 'bench-catalog';

/** How many RecordingEntry objects the namespace holds (one list call of one item, with the remaining count). */
/** The replica's RSS (kB from /proc) and its memory group's figures, as a line's end. */
function memoryOf(group: MemoryGroup | undefined, rssKb: string): string {
  const peak = group ? `${(group.peakBytes() / 1024 ** 2).toFixed(0)} MiB` : 'unknown';
  return `RSS then ${(Number(rssKb) / 1024).toFixed(0)} MiB; under the ${MEMORY_LIMIT} limit its memory group's peak ${peak} with page cache, OOM kills ${group?.oomKills() ?? 0}`;
}

async function storedEntries(request: KubeRequest, collection: string): Promise<number> {
  const answer = await request({ method: 'GET', path: collection, query: { limit: '1' } });
  if (answer.status !== 200) throw new Error(`count entries: ${answer.status}`);
  const list = answer.body as { items: unknown[]; metadata?: { remainingItemCount?: number } };
  return list.items.length + (list.metadata?.remainingItemCount ?? 0);
}

/** The namespace, created unless a kept state already holds it. */
async function ensureNamespace(request: KubeRequest): Promise<void> {
  const answer = await request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
  });
  if (answer.status !== 201 && answer.status !== 409) throw new Error(`namespace: ${answer.status}`);
}

/**
 * The API server holding ENTRIES entries: the kept state under STATE_ROOT when it holds them (written
 * by an earlier run), else written now, with their rate and cost to etcd printed.
 */
async function seededControlPlane(t: TestContext): Promise<{ cp: ControlPlane; request: KubeRequest }> {
  const cp = await startKeptControlPlane(t, STATE);
  await installCrds(cp);
  const request = createKubeRequest(cp.kubeConfig());
  await ensureNamespace(request);
  const collection = entriesPath(NAMESPACE);
  const stored = await storedEntries(request, collection);
  if (stored >= ENTRIES) {
    process.stdout.write(`${stored} entries kept from an earlier run in ${STATE}\n`);
    return { cp, request };
  }
  const existing = stored > 0 ? await storedEntryIds(request, NAMESPACE) : undefined;
  const etcdBefore = await etcdBytes(request);
  const writeStart = performance.now();
  await writeFilledEntries(request, NAMESPACE, {
    count: ENTRIES,
    concurrency: CONCURRENCY,
    keyRoot: 'bench-catalog/recordings/',
    ...(existing ? { existing } : {}),
  });
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const etcdAfter = await etcdBytes(request);
  const written = ENTRIES - (existing?.size ?? 0);
  process.stdout.write(
    `wrote ${written} entries in ${writeSeconds.toFixed(1)} s (${(written / writeSeconds).toFixed(0)}/s at ${CONCURRENCY} at a time); etcd database ${(etcdBefore / 1e6).toFixed(1)} → ${(etcdAfter / 1e6).toFixed(1)} MB (+${((etcdAfter - etcdBefore) / written).toFixed(0)} bytes an entry)\n`,
  );
  return { cp, request };
}

// The server refuses a retention.maxCount above the cap with shared entries, so a replica would never start.
if (ENTRIES > MAX_SHARED_ENTRIES && !SEED_ONLY)
  throw new Error(
    `BENCH_CATALOG_ENTRIES=${ENTRIES} is above the shared catalog's cap of ${MAX_SHARED_ENTRIES} entries (retention.maxCount with storage.s3): a replica refuses that configuration`,
  );

/**
 * Waits until the API server's watch cache of the entries is filled (a watch of none of them answers
 * 200, not 429), as it is in a cluster whose API server has been up: the kept state's API server has just
 * started, and filling its cache of 100,000 entries takes a minute here. Prints how long it took.
 */
async function watchCacheReady(request: KubeRequest): Promise<void> {
  const started = performance.now();
  for (;;) {
    const answer = await request({
      method: 'GET',
      path: entriesPath(NAMESPACE),
      query: { watch: '1', fieldSelector: 'metadata.name=none', timeoutSeconds: '1' },
    });
    if (answer.status === 200) break;
    if (answer.status !== 429) throw new Error(`watch of the entries: ${answer.status}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`the API server's watch cache of the entries ready after ${seconds} s\n`);
}

interface Figures {
  coldSeconds: number;
  heapLeft: number;
  rssMiB: number;
  peakMiB: number;
  f50: number;
  f99: number;
  a50: number;
  a99: number;
}

interface Run {
  cp: ControlPlane;
  request: KubeRequest;
  s3: Awaited<ReturnType<typeof startS3Server>>;
  imageNodeArgs: string[];
  user: { token: string };
}

/** Starts a replica of `script` on the entries and waits until it is ready: the cold start. */
async function startReplica(t: TestContext, run: Run, script: string) {
  const leases = await createNamespace(run.cp.kubeConfig(), { prefix: 'furnace' });
  const started = performance.now();
  const [replica] = await startReplicas(t, {
    kubeconfigPath: run.cp.kubeconfigPath,
    namespace: leases,
    count: 1,
    extra: {
      storage: { s3: s3StorageOf(run.s3, 'bench-catalog/') },
      // Room for every entry, so that the replica, as leader, removes none of them (the kept state stays whole).
      retention: {
        maxCount: ENTRIES,
        namespaceMaxCount: ENTRIES,
        expectedNamespaces: 1,
        maxBytes: ROOMY_BYTES,
        namespaceMaxBytes: ROOMY_BYTES,
        maxAgeSeconds: 10 * 365 * 86_400,
      },
    },
    // As its pod runs it: the image's entry point (the bundle) and node flags, under the Deployment's memory limit. Extra node
    // flags for the replica (`--cpu-prof --cpu-prof-dir=…` to profile its start) in BENCH_CATALOG_NODE_ARGS.
    // --trace-gc: the heap each full collection leaves, which the load shedding judges, read from its output.
    nodeArgs: [
      ...run.imageNodeArgs,
      '--trace-gc',
      ...(process.env.BENCH_CATALOG_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    script,
    memoryLimitBytes: quantityBytes(MEMORY_LIMIT),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  if (!replica) throw new Error('no replica');
  return { replica, coldSeconds: (performance.now() - started) / 1000 };
}

/** The heap (MiB) the replica's last full collection left, from its --trace-gc lines. */
function heapLeftMiB(output: string): number {
  const after = [...output.matchAll(/Mark-Compact[^\n]*? -> ([\d.]+) \(/g)].at(-1)?.[1];
  return after === undefined ? NaN : Number(after);
}

/** One replica of `script`: its cold start, memory and first page against the anchor, printed; stopped after. */
async function measureReplica(run: Run, label: string, script: string): Promise<Figures> {
  const bench = benchContext();
  try {
    const { replica, coldSeconds } = await startReplica(bench.t, run, script);
    const status = await readFile(`/proc/${replica.process.pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '?';
    const peakMiB = (replica.memory?.peakBytes() ?? NaN) / 1024 ** 2;
    process.stdout.write(
      `${label}: replica (node ${run.imageNodeArgs.join(' ')} ${script}) cold start to ready with ${ENTRIES} entries: ${coldSeconds.toFixed(1)} s (load ${loadAverage()}); ${memoryOf(replica.memory, rss)}\n`,
    );
    const heapLeft = heapLeftMiB(replica.process.output());
    process.stdout.write(
      `${label}: heap left by the last full collection ${heapLeft.toFixed(1)} MB (the load shedding refuses requests above 85 % of V8's heap limit)\n`,
    );
    const pageUrl = `${replica.base}/api/v1/recordings?namespace=${NAMESPACE}&limit=${PAGE}`;
    const first = await bearerCall(pageUrl, replica.certs.caPem, run.user.token);
    const listed = (JSON.parse(first.body) as { items?: unknown[] }).items?.length ?? 0;
    if (first.status !== 200 || listed !== PAGE)
      throw new Error(`first page: ${first.status} ${first.body.slice(0, 300)}`);
    const anchorPath = `${entriesPath(NAMESPACE)}?limit=${PAGE}`;
    const furnace: number[] = [];
    const anchor: number[] = [];
    // Interleaved, ten calls at a time, so the machine's load falls on both alike.
    for (let round = 0; round < PAGE_CALLS / 10; round++) {
      furnace.push(
        ...(await timedCalls(
          10,
          async () => void (await bearerCall(pageUrl, replica.certs.caPem, run.user.token)),
        )),
      );
      anchor.push(
        ...(await timedCalls(10, async () => {
          const answer = await run.request({ method: 'GET', path: anchorPath });
          if (answer.status !== 200) throw new Error(`anchor page: ${answer.status}`);
        })),
      );
    }
    const figures: Figures = {
      coldSeconds,
      heapLeft: heapLeftMiB(replica.process.output()),
      rssMiB: Number(rss) / 1024,
      peakMiB,
      f50: percentile(furnace, 0.5),
      f99: percentile(furnace, 0.99),
      a50: percentile(anchor, 0.5),
      a99: percentile(anchor, 0.99),
    };
    process.stdout.write(
      [
        `${label}: first page of ${PAGE} of ${ENTRIES} entries, ${furnace.length} calls each, sequential:`,
        `  Furnace (replica, with its SubjectAccessReview cache): p50 ${ms(figures.f50)}, p99 ${ms(figures.f99)}`,
        `  anchor (API server's own first page of the objects): p50 ${ms(figures.a50)}, p99 ${ms(figures.a99)}`,
        `  ratio Furnace/anchor: p50 ${(figures.f50 / figures.a50).toFixed(2)}×, p99 ${(figures.f99 / figures.a99).toFixed(2)}×`,
        '',
      ].join('\n'),
    );
    return figures;
  } finally {
    await bench.close();
  }
}

const median = (values: number[]): number => percentile(values, 0.5);

/** What a replica that never got ready said: its fatal line (an out-of-memory) or the error's first line. */
function failureOf(error: unknown, startedAt: number): string {
  const text = error instanceof Error ? error.message : String(error);
  const fatal = text.split('\n').find((line) => line.startsWith('FATAL ERROR'));
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  return `not ready after ${seconds} s (load ${loadAverage()}): ${fatal ?? text.split('\n')[0]}`;
}

/** Each code's replica in turn, ROUNDS times; a replica that fails is reported and the run goes on. */
async function measureInTurn(run: Run, codes: [string, string][]) {
  const results = new Map<string, Figures[]>(codes.map(([label]) => [label, []]));
  const failures = new Map<string, string[]>(codes.map(([label]) => [label, []]));
  for (let round = 0; round < ROUNDS; round++)
    for (const [label, script] of codes) {
      const startedAt = performance.now();
      try {
        results.get(label)?.push(await measureReplica(run, label, script));
      } catch (error) {
        const failure = failureOf(error, startedAt);
        failures.get(label)?.push(failure);
        process.stdout.write(`${label}: replica ${failure}\n`);
      }
    }
  return { results, failures };
}

/** The medians of each code's runs, and the targets for this code's. */
function printSummary(results: Map<string, Figures[]>, failures: Map<string, string[]>): void {
  const lines = [`medians over ${ROUNDS} round(s), ${ENTRIES} entries:`];
  for (const [label, failed] of failures)
    if (failed.length > 0)
      lines.push(`  ${label.padEnd(6)} ${failed.length} replica(s) never ready: ${failed.join('; ')}`);
  for (const [label, runs] of results) {
    if (runs.length === 0) continue;
    const m = (pick: (f: Figures) => number) => median(runs.map(pick));
    lines.push(
      `  ${label.padEnd(6)} cold start ${m((f) => f.coldSeconds).toFixed(1)} s; memory group peak ${m((f) => f.peakMiB).toFixed(0)} MiB, heap left by the last full collection after the pages ${m((f) => f.heapLeft).toFixed(0)} MB, RSS ${m((f) => f.rssMiB).toFixed(0)} MiB; first page p50 ${ms(m((f) => f.f50))}, p99 ${ms(m((f) => f.f99))} (anchor ${ms(m((f) => f.a50))} / ${ms(m((f) => f.a99))}); cold starts ${runs.map((f) => f.coldSeconds.toFixed(1)).join(', ')} s`,
    );
  }
  const after = results.get('after') ?? [];
  const cold = median(after.map((f) => f.coldSeconds));
  const p99 = median(after.map((f) => f.f99));
  lines.push(
    `targets (this code): first page p99 ≤ 100 ms (${p99 <= 100 ? 'met' : 'not met'}); cold start ≤ 30 s (${cold <= 30 ? 'met' : 'not met'})`,
    '',
  );
  process.stdout.write(lines.join('\n'));
}

await runBench('bench:catalog', async ({ t }) => {
  const { cp, request } = await seededControlPlane(t);
  if (SEED_ONLY) return;
  const etcd = await etcdBytes(request);
  process.stdout.write(
    `etcd database ${(etcd / 1e6).toFixed(1)} MB with ${ENTRIES} entries (${(etcd / ENTRIES).toFixed(0)} bytes an entry, everything else included)\n`,
  );
  const run: Run = {
    cp,
    request,
    s3: await startS3Server(t),
    imageNodeArgs: await replicaNodeArgs(),
    user: await createUser(cp.kubeConfig(), {
      name: `catalog-reader-${RUN_ID}`,
      namespace: NAMESPACE,
      rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['get'] }],
    }),
  };
  const codes: [string, string][] = [['after', await serverEntry()]];
  await watchCacheReady(request);
  if (BEFORE) codes.unshift(['before', join(BEFORE, 'dist/bundle/server.mjs')]);
  const { results, failures } = await measureInTurn(run, codes);
  printSummary(results, failures);
});
