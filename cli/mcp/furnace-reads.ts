// The calls the assistant makes, all through the verbs' FurnaceApi (the aggregated API with the
// kubeconfig's credentials, or a local server with --server), each answer checked before use.
import type { IncomingMessage } from 'node:http';
import type { ArtifactName } from '../../core/contract/names.ts';
import type { ProcessMatches } from '../../core/contract/processes.ts';
import { ApiError, errorMessage, type FurnaceApi } from '../kube-api.ts';
import { checked, type EntryView, type PodView } from './answer-schemas.ts';

/** The most catalog entries one list reads. */
export const MAX_LISTED_RECORDINGS = 1000;
/** The most bytes of an error answer read for its message. */
const MAX_ERROR_BYTES = 64 * 1024;

const segment = encodeURIComponent;

function scope(namespace: string | undefined): string {
  return namespace === undefined ? '' : `/namespaces/${segment(namespace)}`;
}

export function entryPath(namespace: string, id: string): string {
  return `/namespaces/${segment(namespace)}/recordings/${segment(id)}`;
}

export function podRecordingsPath(namespace: string, pod: string): string {
  return `/namespaces/${segment(namespace)}/pods/${segment(pod)}/recordings`;
}

/** The first MAX_ERROR_BYTES of an answer, as text. */
async function headOf(answer: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of answer) {
    chunks.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if (bytes >= MAX_ERROR_BYTES) {
      answer.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BYTES).toString('utf8');
}

/** The pods with a registered recorder that the user may see (a namespace's, or every one's). */
export async function listPods(api: FurnaceApi, namespace: string | undefined): Promise<PodView[]> {
  const answer = await api.json<unknown>('GET', `${scope(namespace)}/pods`);
  return checked('pods', answer, 'the list of pods').items;
}

/** A pod's containers that can be recorded (not the sidecar). */
export async function listContainers(api: FurnaceApi, namespace: string, pod: string): Promise<string[]> {
  const answer = await api.json<unknown>(
    'GET',
    `/namespaces/${segment(namespace)}/pods/${segment(pod)}/containers`,
  );
  return checked('containers', answer, `the containers of ${namespace}/${pod}`).containers;
}

/** The processes a start in the pod would record now, busiest first (needs the right to record there). */
export async function listProcesses(
  api: FurnaceApi,
  namespace: string,
  pod: string,
): Promise<ProcessMatches> {
  const answer = await api.json<unknown>(
    'GET',
    `/namespaces/${segment(namespace)}/pods/${segment(pod)}/processes`,
  );
  return checked('processes', answer, `the processes of ${namespace}/${pod}`);
}

/** The catalog's recordings the user may read, newest first, at most `limit`. */
export async function listRecordings(
  api: FurnaceApi,
  namespace: string | undefined,
  limit: number,
): Promise<{ items: EntryView[]; more: boolean }> {
  const items: EntryView[] = [];
  if (limit <= 0) return { items, more: false };
  let next: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(Math.min(500, limit - items.length)) });
    if (next !== undefined) query.set('continue', next);
    const answer = await api.json<unknown>('GET', `${scope(namespace)}/recordings?${query.toString()}`);
    const page = checked('page', answer, 'the list of recordings');
    items.push(...page.items);
    next = page.continue;
  } while (next !== undefined && items.length < limit);
  return { items: items.slice(0, limit), more: next !== undefined || items.length > limit };
}

export async function getEntry(api: FurnaceApi, namespace: string, id: string): Promise<EntryView> {
  const answer = await api.json<unknown>('GET', entryPath(namespace, id));
  const entry = checked('entry', answer, `recording ${id}`);
  if (entry.id !== id || entry.namespace !== namespace)
    throw new Error(
      `Furnace answered recording ${entry.id} of ${entry.namespace} when asked for ${id} of ${namespace}`,
    );
  return entry;
}

/** The earlier recordings of a workload, newest first. */
export interface WorkloadEarlier {
  /** The workload of the pinned baseline the recording belongs to (`deployment/web`), when one is pinned. */
  workload?: string;
  /** The recording of the workload before it (`previous`) and the pinned baseline (`baseline`). */
  earlier: { kind: 'previous' | 'baseline'; id: string }[];
}

/**
 * Which recordings the server compares `id` with as a rollout (docs/rollout-watch.md): its workload's
 * recording before it and the workload's pinned baseline. The server decides both (one rule for the UI,
 * the watch and the assistant); only their ids are taken from its answer.
 */
export async function workloadEarlier(
  api: FurnaceApi,
  namespace: string,
  id: string,
): Promise<WorkloadEarlier> {
  const answer = await api.json<unknown>('GET', `${entryPath(namespace, id)}/regression`);
  const view = checked('regression', answer, `the regression of ${id}`);
  if (view.id !== id) throw new Error(`Furnace answered the regression of ${view.id} when asked for ${id}`);
  const earlier = view.comparisons.flatMap((c) =>
    c.kind === 'chosen' ? [] : [{ kind: c.kind, id: c.against }],
  );
  return { ...(view.workload === undefined ? {} : { workload: view.workload }), earlier };
}

/** An artifact's bytes as they arrive; ApiError with the server's words when it is refused. */
export async function openArtifact(
  api: FurnaceApi,
  namespace: string,
  id: string,
  name: ArtifactName,
): Promise<IncomingMessage> {
  const answer = await api.send('GET', `${entryPath(namespace, id)}/artifacts/${name}`);
  const status = answer.statusCode ?? 0;
  if (status !== 200) throw new ApiError(status, errorMessage(status, await headOf(answer)));
  return answer;
}
