// RecordingEntry objects written straight to the API server, as a bucket-backed server writes them
// (server/catalog/kube-entries.ts): for tests and benchmarks that need a catalog of thousands of entries
// without recording them one by one.
import { API_GROUP_VERSION } from '../../core/contract/names.ts';
import { RECORDING_ENTRY_KIND, RECORDING_ENTRY_PLURAL } from '../../core/crd/recording-entry-crd.ts';
import type { KubeRequest } from '../../kube/kube-request.ts';
import { deriveStored } from '../../server/catalog/catalog-entry.ts';
import { entryObjectName, recordText } from '../../server/catalog/kube-entries.ts';
import { finishedRecordingStatus } from './recording-status.ts';

/** The namespace's RecordingEntry collection. */
export function entriesPath(namespace: string): string {
  return `/apis/${API_GROUP_VERSION}/namespaces/${namespace}/${RECORDING_ENTRY_PLURAL}`;
}

/** The RecordingEntry of finished recording `id` of pod `pod`, started at `at` (ms), with two artifacts. */
export function recordingEntryObject(namespace: string, id: string, pod: string, at: number) {
  const time = new Date(at).toISOString();
  const status = finishedRecordingStatus(id, {
    startedAt: time,
    endedAt: time,
    artifacts: ['stacks.folded', 'flamegraph.svg'],
  });
  const stored = deriveStored(status, { namespace, pod, podUid: `uid-${pod}` }, undefined, at);
  stored.entry.artifacts = [
    { name: 'stacks.folded', bytes: 20_000 },
    { name: 'flamegraph.svg', bytes: 90_000 },
  ];
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
        );
        const answer = await request({ method: 'POST', path: entriesPath(namespace), body });
        if (answer.status !== 201 && answer.status !== 409)
          throw new Error(`create entry ${index}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }),
  );
}
