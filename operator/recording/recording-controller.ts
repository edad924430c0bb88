// The Recording controller: the supervisor's hook for reconcileRecording. It records through the Furnace
// server's user listener as the operator's own service account, like any user (docs/operator.md).
import { existsSync, readFileSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ControllerFactory, OperatorContext } from '../controller.ts';
import { RESOURCES } from '../resources.ts';
import { createRecordingKube } from './recording-kube.ts';
import { reconcileRecording, type RecordingDeps } from './reconcile.ts';
import type { Recording } from './recording-types.ts';
import { createServerClient } from './server-client.ts';
import {
  readRecordingSettings,
  RECORDING_OPERATOR_ENV,
  type RecordingSettings,
} from './recording-settings.ts';
import { compareProfiles } from '../../core/compare/regression.ts';
import { reconcileWatch } from './watch/reconcile-watch.ts';
import { createWatchKube } from './watch/watch-kube.ts';
import { createWatchedWorkloads } from './watch/watched-workloads.ts';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The CA the server's certificate chains to, read for every reconcile: the operator renews it. */
async function serverCa(context: OperatorContext, settings: RecordingSettings): Promise<string> {
  if (settings.serverCaFile) return readFileSync(settings.serverCaFile, 'utf8');
  const { namespace, name } = settings.serverCaSecret;
  const secret = (await context.applier.get(RESOURCES.Secret, { namespace, name })) as
    { data?: Record<string, string> } | undefined;
  const data = secret?.data?.['ca.crt'];
  if (!data)
    throw new Error(
      `no ca.crt in Secret ${namespace}/${name} (${RECORDING_OPERATOR_ENV.serverCaSecret}) to trust the Furnace server with`,
    );
  return Buffer.from(data, 'base64').toString('utf8');
}

async function serverClient(
  context: OperatorContext,
  settings: RecordingSettings,
): Promise<RecordingDeps['server']> {
  const tokenPath = settings.tokenPath ?? (existsSync(IN_CLUSTER_TOKEN) ? IN_CLUSTER_TOKEN : undefined);
  return createServerClient({
    url: settings.serverUrl,
    ...(tokenPath ? { tokenPath } : {}),
    ca: await serverCa(context, settings),
  });
}

export const createRecordingController: ControllerFactory = (context) => {
  const settings = readRecordingSettings(context.env, context.namespace);
  const kube = createRecordingKube(context.kubeConfig);
  const watchKube = createWatchKube(context.kubeConfig);
  const watched = createWatchedWorkloads();
  // DeploymentConfigs are polled only: an informer of a kind the cluster may not serve would fail for ever.
  const secondaries = (['Deployment', 'StatefulSet', 'DaemonSet'] as const).map((kind) => ({
    resource: RESOURCES[kind],
    keysOf: (workload: KubernetesObject) => watched.keysOf(kind, workload),
  }));
  return {
    name: 'recording',
    primary: RESOURCES.Recording,
    secondaries,
    async reconcile(key, object) {
      const watch = (object as unknown as Recording | undefined)?.spec.watch;
      watched.set(key, watch);
      // Gone: a Recording owns nothing in the cluster (a continuous one was switched off by its finalizer).
      if (!object) return undefined;
      const server = await serverClient(context, settings);
      const deps: RecordingDeps = { kube, server, now: context.now, log: context.log };
      const recording = object as unknown as Recording;
      if (recording.spec.watch)
        return reconcileWatch({ ...deps, watchKube, compare: compareProfiles }, recording);
      return reconcileRecording(deps, recording);
    },
  };
};
