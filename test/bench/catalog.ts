// npm run bench:catalog — a shared catalog of BENCH_CATALOG_ENTRIES (50,000) RecordingEntry objects in
// one namespace of the real API server (the entries of a bucket-backed install, server/catalog/
// kube-entries.ts). Measured in one run:
// - how fast the entries are written (BENCH_CATALOG_CONCURRENCY creates at a time) and what they cost
//   etcd (its data directory and the API server's object count);
// - a replica's cold start to ready with that many entries (its list of every entry, 500 a page);
// - the first page of the catalog (`GET /api/v1/recordings?namespace=…&limit=50`) through the replica,
//   sequentially, p50 and p99 — against the same-run anchor, the API server's own first page of the
//   objects (`…/recordingentries?limit=50`), and their ratio.
// Targets (issue 23): first page p99 ≤ 100 ms, cold start ≤ 30 s. Prints the machine and its load.
import { readFile } from 'node:fs/promises';
import { API_GROUP_VERSION } from '../../core/contract/names.ts';
import { RECORDING_ENTRY_PLURAL } from '../../core/crd/recording-entry-crd.ts';
import { createKubeRequest } from '../../kube/kube-request.ts';
import { deriveStored } from '../../server/catalog/catalog-entry.ts';
import { entryObjectName, recordText } from '../../server/catalog/kube-entries.ts';
import { s3StorageOf } from '../harness/catalog-stores.ts';
import { createNamespace, createUser } from '../harness/cluster.ts';
import { getControlPlane } from '../harness/control-plane.ts';
import { installCrds } from '../harness/crds.ts';
import { bearerCall } from '../harness/http.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { replicaReady, startReplicas } from '../harness/replica-servers.ts';
import { startS3Server } from '../harness/s3-server.ts';
import { runBench } from './bench-kit.ts';

// The most a bucket-backed install keeps (retention.maxCount is capped at 50,000 with storage.s3 in a
// cluster, server/config/config-retention.ts); the 100,000 is above that cap.
const ENTRIES = Number(process.env.BENCH_CATALOG_ENTRIES ?? 50_000);
const CONCURRENCY = Number(process.env.BENCH_CATALOG_CONCURRENCY ?? 32);
const PAGE_CALLS = Number(process.env.BENCH_CATALOG_PAGES ?? 200);
const PAGE = 50;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? NaN;
}

/** etcd's database size as the API server reports it (apiserver_storage_size_bytes), in bytes. */
async function etcdBytes(request: ReturnType<typeof createKubeRequest>): Promise<number> {
  const answer = await request({ method: 'GET', path: '/metrics' });
  const text = typeof answer.body === 'string' ? answer.body : String(answer.body);
  const line = text.split('\n').find((l) => l.startsWith('apiserver_storage_size_bytes'));
  return Number(line?.split(' ').at(-1) ?? NaN);
}

/** The RecordingEntry object of finished recording number `index`, as the server writes one. */
function entryObject(namespace: string, index: number, now: number) {
  const id = `bench-${index.toString().padStart(6, '0')}`;
  const at = new Date(now - (ENTRIES - index) * 1000).toISOString();
  const status = finishedRecordingStatus(id, {
    startedAt: at,
    endedAt: at,
    artifacts: ['stacks.folded', 'flamegraph.svg'],
  });
  const stored = deriveStored(
    status,
    { namespace, pod: `web-${index % 50}`, podUid: `uid-${index % 50}` },
    undefined,
    now,
  );
  stored.entry.artifacts = [
    { name: 'stacks.folded', bytes: 20_000 },
    { name: 'flamegraph.svg', bytes: 90_000 },
  ];
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'RecordingEntry',
    metadata: { name: entryObjectName(id), namespace, labels: { 'app.kubernetes.io/managed-by': 'furnace' } },
    spec: {
      id,
      pod: stored.entry.pod,
      state: 'done',
      startedAt: stored.entry.startedAt,
      record: recordText(stored),
    },
  };
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

await runBench('bench:catalog', async ({ t }) => {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  await installCrds(cp);
  const request = createKubeRequest(kc);
  const namespace = await createNamespace(kc, { enabled: true });
  const etcdBefore = await etcdBytes(request);

  const now = Date.now();
  const collection = `/apis/${API_GROUP_VERSION}/namespaces/${namespace}/${RECORDING_ENTRY_PLURAL}`;
  let next = 0;
  const writeStart = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let index = next++; index < ENTRIES; index = next++) {
        const answer = await request({
          method: 'POST',
          path: collection,
          body: entryObject(namespace, index, now),
        });
        if (answer.status !== 201) throw new Error(`create entry ${index}: ${answer.status}`);
      }
    }),
  );
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const etcdAfter = await etcdBytes(request);
  process.stdout.write(
    `wrote ${ENTRIES} entries in ${writeSeconds.toFixed(1)} s (${(ENTRIES / writeSeconds).toFixed(0)}/s at ${CONCURRENCY} at a time); etcd database ${(etcdBefore / 1e6).toFixed(1)} → ${(etcdAfter / 1e6).toFixed(1)} MB (+${((etcdAfter - etcdBefore) / ENTRIES).toFixed(0)} bytes an entry)\n`,
  );

  const s3 = await startS3Server(t);
  const leases = await createNamespace(kc, { prefix: 'furnace' });
  const coldStart = performance.now();
  const [replica] = await startReplicas(t, {
    kubeconfigPath: cp.kubeconfigPath,
    namespace: leases,
    count: 1,
    extra: {
      storage: { s3: s3StorageOf(s3, 'bench-catalog/') },
      retention: { maxCount: ENTRIES, namespaceMaxCount: ENTRIES, expectedNamespaces: 1 },
    },
  });
  if (!replica) throw new Error('no replica');
  await replicaReady(replica);
  const coldSeconds = (performance.now() - coldStart) / 1000;
  const status = await readFile(`/proc/${replica.process.pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '?';
  process.stdout.write(
    `replica cold start to ready with ${ENTRIES} entries: ${coldSeconds.toFixed(1)} s; RSS then ${(Number(rss) / 1024).toFixed(0)} MiB\n`,
  );

  const user = await createUser(kc, {
    name: 'catalog-reader',
    namespace,
    rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['get'] }],
  });
  const pageUrl = `${replica.base}/api/v1/recordings?namespace=${namespace}&limit=${PAGE}`;
  const first = await bearerCall(pageUrl, replica.certs.caPem, user.token);
  const listed = (JSON.parse(first.body) as { items?: unknown[] }).items?.length ?? 0;
  if (first.status !== 200 || listed !== PAGE)
    throw new Error(`first page: ${first.status} ${first.body.slice(0, 300)}`);
  const anchorPath = `${collection}?limit=${PAGE}`;
  const furnace: number[] = [];
  const anchor: number[] = [];
  // Interleaved, ten calls at a time, so the machine's load falls on both alike.
  for (let round = 0; round < PAGE_CALLS / 10; round++) {
    furnace.push(
      ...(await timedCalls(
        10,
        async () => void (await bearerCall(pageUrl, replica.certs.caPem, user.token)),
      )),
    );
    anchor.push(
      ...(await timedCalls(10, async () => {
        const answer = await request({ method: 'GET', path: anchorPath });
        if (answer.status !== 200) throw new Error(`anchor page: ${answer.status}`);
      })),
    );
  }
  const [f50, f99, a50, a99] = [
    percentile(furnace, 0.5),
    percentile(furnace, 0.99),
    percentile(anchor, 0.5),
    percentile(anchor, 0.99),
  ];
  process.stdout.write(
    [
      `first page of ${PAGE} of ${ENTRIES} entries, ${furnace.length} calls each, sequential:`,
      `  Furnace (replica, with its SubjectAccessReview cache): p50 ${ms(f50)}, p99 ${ms(f99)}`,
      `  anchor (API server's own first page of the objects): p50 ${ms(a50)}, p99 ${ms(a99)}`,
      `  ratio Furnace/anchor: p50 ${(f50 / a50).toFixed(2)}×, p99 ${(f99 / a99).toFixed(2)}×`,
      `targets: first page p99 ≤ 100 ms (${f99 <= 100 ? 'met' : 'not met'}); cold start ≤ 30 s (${coldSeconds <= 30 ? 'met' : 'not met'})`,
      '',
    ].join('\n'),
  );
});
