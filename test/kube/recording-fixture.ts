// Recording resources in the test cluster, and a small runner that stands in for the operator's supervisor:
// it reads a Recording, calls the reconciler and waits as long as the reconciler asks, until a condition holds.
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { RUN_ID } from '../harness/cluster.ts';
import { reconcileRecording, type RecordingDeps } from '../../operator/recording/reconcile.ts';
import {
  KIND_RECORDING,
  RECORDING_PLURAL,
  type Recording,
  type RecordingSpec,
  type RecordingStatus,
} from '../../operator/recording/recording-types.ts';

export async function createRecording(
  kc: KubeConfig,
  namespace: string,
  name: string,
  spec: RecordingSpec,
): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace,
    plural: RECORDING_PLURAL,
    body: {
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: KIND_RECORDING,
      metadata: { name, labels: { [TEST_RUN_LABEL]: RUN_ID } },
      spec,
    },
  });
}

export async function readRecording(kc: KubeConfig, namespace: string, name: string): Promise<Recording> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace,
    plural: RECORDING_PLURAL,
    name,
  })) as Recording;
}

/**
 * Reconciles the Recording, as often as the reconciler asks (at most every 500 ms here), until `until` holds
 * for its stored status; fails after timeoutMs with the last status.
 */
export async function reconcileUntil(
  kc: KubeConfig,
  deps: RecordingDeps,
  namespace: string,
  name: string,
  until: (status: RecordingStatus) => boolean,
  timeoutMs = 90_000,
): Promise<RecordingStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: RecordingStatus | undefined;
  for (;;) {
    const outcome = await reconcileRecording(deps, await readRecording(kc, namespace, name));
    last = (await readRecording(kc, namespace, name)).status;
    if (last && until(last)) return last;
    if (Date.now() > deadline)
      throw new Error(
        `Recording ${namespace}/${name} did not get there in ${timeoutMs} ms: ${JSON.stringify(last)}`,
      );
    await sleep(Math.min(outcome.requeueAfterMs ?? 500, 500));
  }
}

export const ended = (status: RecordingStatus): boolean =>
  status.phase === 'Succeeded' || status.phase === 'Failed';
