// Recordings that are not in the catalog yet live on their pods' recorders: find them through the
// proxy, for the recording page (by id) and for History (every one in progress).
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import type { SidecarView } from '../../../core/contract/ui-contract.ts';
import { apiPath, getJson } from '../api/client.ts';

/** The most pods asked at once for their recordings (History's refresh, a recording page's search). */
export const MAX_PODS_ASKED = 50;

export interface PodRecording {
  namespace: string;
  pod: string;
  status: RecordingStatus;
}

async function podsOf(signal?: AbortSignal): Promise<SidecarView[]> {
  const { items } = await getJson<{ items: SidecarView[] }>('/api/v1/sidecars', signal);
  return items.slice(0, MAX_PODS_ASKED);
}

function recordingsOf(pod: SidecarView, signal?: AbortSignal): Promise<PodRecording[]> {
  return getJson<{ recordings: RecordingStatus[] }>(
    apiPath`/proxy/${pod.namespace}/${pod.pod}/recordings`,
    signal,
  ).then(
    (list) => list.recordings.map((status) => ({ namespace: pod.namespace, pod: pod.pod, status })),
    () => [], // a pod that does not answer has nothing to show
  );
}

/** Every recording the registered pods are recording or processing now. */
export async function findInProgress(signal?: AbortSignal): Promise<PodRecording[]> {
  const pods = await podsOf(signal);
  const lists = await Promise.all(pods.map((pod) => recordingsOf(pod, signal)));
  return lists.flat().filter((r) => r.status.state === 'recording' || r.status.state === 'processing');
}

/** The recording with this id on whichever registered pod has it; undefined when none does. */
export async function findOnPods(id: string, signal?: AbortSignal): Promise<PodRecording | undefined> {
  const pods = await podsOf(signal);
  const lists = await Promise.all(pods.map((pod) => recordingsOf(pod, signal)));
  return lists.flat().find((r) => r.status.id === id);
}
