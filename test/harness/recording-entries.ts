// RecordingEntry objects written straight to the API server, as a bucket-backed server writes them
// (server/catalog/kube-entries.ts): for tests and benchmarks that need a catalog of thousands of entries
// without recording them one by one.
import { createHash } from 'node:crypto';
import { API_GROUP_VERSION, type ArtifactName } from '../../core/contract/names.ts';
import { RECORDING_ENTRY_KIND, RECORDING_ENTRY_PLURAL } from '../../core/crd/recording-entry-crd.ts';
import type { KubeRequest } from '../../kube/kube-request.ts';
import { deriveStored } from '../../server/catalog/catalog-entry.ts';
import { entryObjectName, recordText } from '../../server/catalog/kube-entries.ts';
import { finishedRecordingStatus, PERF_ARTIFACTS, perfParams } from './recording-status.ts';

/** The namespace's RecordingEntry collection. */
export function entriesPath(namespace: string): string {
  return `/apis/${API_GROUP_VERSION}/namespaces/${namespace}/${RECORDING_ENTRY_PLURAL}`;
}

/**
 * The artifacts of a finished perf recording as a real one lists them (test/harness/recording-status.ts's
 * PERF_ARTIFACTS, nine), with sizes of a 30 s recording of a busy service, in bytes.
 */
const PERF_ARTIFACT_BYTES: Readonly<Record<string, number>> = {
  'flame-tree.bin.gz': 61_000,
  'flamegraph.html': 412_000,
  'flamegraph.svg': 388_000,
  'perf.data': 14_200_000,
  'perf.script': 48_500_000,
  'profile.otlp.pb': 96_000,
  'profile.pb.gz': 58_000,
  'speedscope.json': 734_000,
  'stacks.folded': 205_000,
};

/** A hex suffix as the s3 store puts after an artifact's name (8 random bytes), made from the id and name. */
function keySuffix(id: string, name: string): string {
  return createHash('sha256').update(`${id}/${name}`).digest('hex').slice(0, 16);
}

/**
 * The RecordingEntry of finished perf recording `id` of pod `pod`, started at `at` (ms), as a bucket-backed
 * server writes one: nine artifacts with their sizes (varied by a few per cent per entry), each under a key
 * of its own as the s3 store makes them (`<root><id>/<name>.<16 hex>`, root `keyRoot`), three recorded
 * processes, the sample count, the profiler and why it ended.
 */
export function recordingEntryObject(
  namespace: string,
  id: string,
  pod: string,
  at: number,
  keyRoot = 'recordings/',
) {
  const time = new Date(at).toISOString();
  const status = finishedRecordingStatus(id, {
    params: perfParams(30, { container: 'app' }),
    startedAt: time,
    endedAt: new Date(at + 30_000).toISOString(),
    artifacts: PERF_ARTIFACTS as ArtifactName[],
    targets: [
      { pid: 1, comm: 'java', container: 'app' },
      { pid: 48, comm: 'C2 CompilerThre', container: 'app' },
      { pid: 9, comm: 'envoy', container: 'istio-proxy' },
    ],
    samples: 2_900 + (at % 200),
    profiler: 'perf',
    endReason: 'duration',
  });
  const stored = deriveStored(status, { namespace, pod, podUid: `uid-${pod}` }, undefined, {
    now: at + 30_000,
  });
  const vary = 1 + ((at / 1000) % 10) / 100;
  stored.entry.artifacts = (PERF_ARTIFACTS as ArtifactName[]).map((name) => ({
    name,
    bytes: Math.round((PERF_ARTIFACT_BYTES[name] ?? 0) * vary),
  }));
  stored.objects = Object.fromEntries(
    PERF_ARTIFACTS.map((name) => [name, `${keyRoot}${id}/${name}.${keySuffix(id, name)}`]),
  );
  return {
    apiVersion: API_GROUP_VERSION,
    kind: RECORDING_ENTRY_KIND,
    metadata: { name: entryObjectName(id), namespace, labels: { 'app.kubernetes.io/managed-by': 'furnace' } },
    spec: { id, pod, state: 'done', startedAt: stored.entry.startedAt, record: recordText(stored) },
  };
}

/** The id of entry number `index` of a filled catalog (`bench-000042`; `prefix` in place of `bench`). */
export function filledEntryId(index: number, prefix = 'bench'): string {
  return `${prefix}-${index.toString().padStart(6, '0')}`;
}

/** The ids of the entries `namespace` holds, listed 5,000 a page. */
export async function storedEntryIds(request: KubeRequest, namespace: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let token: string | undefined;
  do {
    const answer = await request({
      method: 'GET',
      path: entriesPath(namespace),
      query: { limit: '5000', continue: token },
    });
    if (answer.status !== 200) throw new Error(`list entries: ${answer.status}`);
    const page = answer.body as { items: { spec?: { id?: string } }[]; metadata?: { continue?: string } };
    for (const item of page.items) if (item.spec?.id !== undefined) ids.add(item.spec.id);
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  return ids;
}

/**
 * Writes entries 0 … count-1 into `namespace`, `concurrency` creates at a time, one a second apart
 * (entry 0 the oldest, the last one `now`) over 50 pods; those in `existing` (and any that exists
 * already) are left as they are.
 */
export async function writeFilledEntries(
  request: KubeRequest,
  namespace: string,
  options: {
    count: number;
    concurrency: number;
    now?: number;
    existing?: ReadonlySet<string>;
    /** The ids' prefix (filledEntryId's); ids are cluster-wide, so two filled namespaces need two. */
    prefix?: string;
    /** Where the reading store keeps a recording's objects (`<prefix>recordings/`): it lists no other. */
    keyRoot?: string;
  },
): Promise<void> {
  const { count, concurrency } = options;
  const now = options.now ?? Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count; index = next++) {
        const id = filledEntryId(index, options.prefix);
        if (options.existing?.has(id)) continue;
        const body = recordingEntryObject(
          namespace,
          id,
          `web-${index % 50}`,
          now - (count - 1 - index) * 1000,
          options.keyRoot,
        );
        const answer = await request({ method: 'POST', path: entriesPath(namespace), body });
        if (answer.status !== 201 && answer.status !== 409)
          throw new Error(`create entry ${index}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }),
  );
}
