// The Recording reconciler's Kubernetes edge: the target's pods, the Recording's status subresource and its
// finalizers (a continuous Recording's selection is switched off before the Recording goes).
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ObjectMeta,
  type V1Pod,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../../core/contract/names.ts';
import { formatLabelSelector } from '../label-selector.ts';
import { CLUSTER_OBJECT_NAMES } from '../furnace/furnace-names.ts';
import type { PodView } from './plan.ts';
import {
  RECORDING_PLURAL,
  type Recording,
  type RecordingSpec,
  type RecordingStatus,
} from './recording-types.ts';

export interface RecordingKube {
  /** The pod the target names (none when it does not exist), or every pod its selector matches. */
  targetPods(namespace: string, target: RecordingSpec['target']): Promise<PodView[]>;
  /** Replaces the Recording's status (the status subresource; the spec is never written). */
  writeStatus(recording: Recording, status: RecordingStatus): Promise<void>;
  /** Sets metadata.finalizers; a 409 when the Recording changed since the copy's resourceVersion. */
  setFinalizers(recording: Recording, finalizers: string[]): Promise<void>;
  /**
   * When the check of continuous Recordings (the ValidatingAdmissionPolicy and its binding, the later of
   * the two) was created, in ms since the epoch; undefined when either is not there.
   */
  continuousCheckSince(): Promise<number | undefined>;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function podView(pod: V1Pod): PodView {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  const since = ready?.lastTransitionTime;
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ...(pod.metadata?.deletionTimestamp ? { deleting: true } : {}),
    ...(ready ? { ready: true } : {}),
    ...(since ? { readySince: new Date(since).toISOString() } : {}),
  };
}

/** The creation time of what `read` answers, or undefined when it is not there (404). */
async function createdAt(read: () => Promise<{ metadata?: V1ObjectMeta }>): Promise<number | undefined> {
  try {
    const created = (await read()).metadata?.creationTimestamp;
    return created === undefined ? undefined : new Date(created).getTime();
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw error;
  }
}

/** The policy alone checks nothing, nor its binding alone: the later of the two, or undefined. */
async function checkSince(admission: AdmissionregistrationV1Api, name: string): Promise<number | undefined> {
  const [policy, binding] = await Promise.all([
    createdAt(() => admission.readValidatingAdmissionPolicy({ name })),
    createdAt(() => admission.readValidatingAdmissionPolicyBinding({ name })),
  ]);
  return policy === undefined || binding === undefined ? undefined : Math.max(policy, binding);
}

/** `continuousCheck`: the name of the policy and of its binding (tests register their own). */
export function createRecordingKube(
  kc: KubeConfig,
  continuousCheck: string = CLUSTER_OBJECT_NAMES.recordingPolicy,
): RecordingKube {
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    async targetPods(namespace, target) {
      if (target.pod !== undefined) {
        try {
          return [podView(await core.readNamespacedPod({ namespace, name: target.pod }))];
        } catch (error) {
          if (statusCode(error) === 404) return [];
          throw error;
        }
      }
      if (target.selector === undefined) return [];
      const labelSelector = formatLabelSelector(target.selector);
      const list = await core.listNamespacedPod({ namespace, labelSelector });
      return list.items.map(podView);
    },
    async writeStatus(recording, status) {
      await custom.patchNamespacedCustomObjectStatus(
        {
          group: API_GROUP,
          version: API_VERSION,
          namespace: recording.metadata.namespace,
          plural: RECORDING_PLURAL,
          name: recording.metadata.name,
          body: [{ op: 'add', path: '/status', value: status }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    },
    async setFinalizers(recording, finalizers) {
      const { resourceVersion } = recording.metadata;
      await custom.patchNamespacedCustomObject(
        {
          group: API_GROUP,
          version: API_VERSION,
          namespace: recording.metadata.namespace,
          plural: RECORDING_PLURAL,
          name: recording.metadata.name,
          body: { metadata: { finalizers, ...(resourceVersion ? { resourceVersion } : {}) } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    },
    continuousCheckSince: () => checkSince(admission, continuousCheck),
  };
}
