// Recording resources in the test cluster, and a small runner that stands in for the operator's supervisor:
// it reads a Recording, calls the reconciler and waits as long as the reconciler asks, until a condition holds.
// Also the server they record through (a process with its webhook) and pods injected by it.
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, SIDECAR_CONTAINER_NAME, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { RUN_ID } from '../harness/cluster.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { eventually } from '../harness/eventually.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { registerScopedWebhook } from '../harness/scoped-webhook.ts';
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

const SCOPE_LABEL = 'furnace-recording-scope';

/** Where startRecordingServer keeps its catalog (seed it before the server starts). */
export const recordingServerDataDir = (dir: string): string => join(dir, 'data');

/**
 * A server process (its catalog under `dir`) with its webhook registered for one new opted-in namespace,
 * which it answers with the server's address and CA.
 */
export async function startRecordingServer(
  t: TestContext,
  { cp, kc }: { cp: ControlPlane; kc: KubeConfig },
  dir: string,
): Promise<{ base: string; ca: string; namespace: string }> {
  const server = await startClusterServer(t, dir, { kubeconfigPath: cp.kubeconfigPath });
  const webhook = await registerScopedWebhook(t, kc, server, SCOPE_LABEL);
  return { base: server.base, ca: server.certs.caPem, namespace: await webhook.namespace() };
}

/**
 * Creates the pod through admission and runs it: `containers` maps container names to commands; the
 * injected sidecar runs this checkout's sidecar, or the command `sidecar` names.
 */
export async function startInjectedPod(
  t: TestContext,
  kc: KubeConfig,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  containers: Record<string, string[]>,
  sidecar?: string[],
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const body = {
    metadata: { name, labels },
    spec: { containers: Object.keys(containers).map((c) => ({ name: c, image: 'registry.example/hot:1' })) },
  };
  await eventually(
    async () => {
      const probe = await core.createNamespacedPod({
        namespace,
        body: { ...body, metadata: { name: 'probe', labels } },
        dryRun: 'All',
      });
      const injected = probe.spec?.containers.some((c) => c.name === SIDECAR_CONTAINER_NAME) === true;
      return injected === (labels.furnace === 'enabled') ? true : undefined;
    },
    20_000,
    'the webhook configuration to take effect',
  );
  await core.createNamespacedPod({ namespace, body });
  const commands = sidecar ? { ...containers, [SIDECAR_CONTAINER_NAME]: sidecar } : containers;
  const pod = await simulatePod(kc, namespace, name, { commands });
  t.after(() => pod.stop());
}
