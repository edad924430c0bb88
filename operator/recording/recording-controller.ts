// The Recording controller: the supervisor's hook for reconcileRecording. It records through the Furnace
// server's user listener as the operator's own service account, like any user (docs/operator.md).
import { existsSync, readFileSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ControllerFactory, OperatorContext } from '../controller.ts';
import { FURNACE_NAME, furnaceNames, userServiceUrl } from '../furnace/furnace-names.ts';
import { RESOURCES } from '../resources.ts';
import { createRecordingKube } from './recording-kube.ts';
import { reconcileRecording, type RecordingDeps } from './reconcile.ts';
import type { Recording } from './recording-types.ts';
import { createServerClient } from './server-client.ts';
import { compareProfiles } from '../../core/compare/regression.ts';
import { reconcileWatch } from './watch/reconcile-watch.ts';
import { createWatchKube } from './watch/watch-kube.ts';
import { createWatchedWorkloads } from './watch/watched-workloads.ts';

export const RECORDING_OPERATOR_ENV = {
  /** The server's user listener. */
  serverUrl: 'FURNACE_OPERATOR_SERVER_URL',
  /** PEM file of the CA that signs the server's certificate. */
  serverCaFile: 'FURNACE_OPERATOR_SERVER_CA_FILE',
  /** Without a CA file: `namespace/name` of the Secret whose `ca.crt` is that CA (the Furnace's TLS Secret). */
  serverCaSecret: 'FURNACE_OPERATOR_SERVER_CA_SECRET',
  /** The operator's service-account token, sent as its bearer token. */
  tokenPath: 'FURNACE_OPERATOR_TOKEN_PATH',
} as const;

/** The user Service of the cluster's one Furnace, in the operator's namespace (operator/furnace/furnace-names.ts). */
export function defaultServerUrl(namespace: string): string {
  return userServiceUrl(furnaceNames(namespace, FURNACE_NAME));
}

/** The TLS Secret of that Furnace (the operator may read Secrets of its own namespace only). */
export function defaultServerCaSecret(namespace: string): string {
  return `${namespace}/${furnaceNames(namespace, FURNACE_NAME).tls}`;
}
const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The CA the server's certificate chains to, read for every reconcile: the operator renews it. */
async function serverCa(context: OperatorContext): Promise<string> {
  const file = context.env[RECORDING_OPERATOR_ENV.serverCaFile];
  if (file) return readFileSync(file, 'utf8');
  const ref = context.env[RECORDING_OPERATOR_ENV.serverCaSecret] ?? defaultServerCaSecret(context.namespace);
  const [namespace = '', name = ''] = ref.split('/');
  const secret = (await context.applier.get(RESOURCES.Secret, { namespace, name })) as
    { data?: Record<string, string> } | undefined;
  const data = secret?.data?.['ca.crt'];
  if (!data)
    throw new Error(
      `no ca.crt in Secret ${ref} (${RECORDING_OPERATOR_ENV.serverCaSecret}) to trust the Furnace server with`,
    );
  return Buffer.from(data, 'base64').toString('utf8');
}

async function serverClient(context: OperatorContext): Promise<RecordingDeps['server']> {
  const env = context.env;
  const tokenPath =
    env[RECORDING_OPERATOR_ENV.tokenPath] ?? (existsSync(IN_CLUSTER_TOKEN) ? IN_CLUSTER_TOKEN : undefined);
  return createServerClient({
    url: env[RECORDING_OPERATOR_ENV.serverUrl] ?? defaultServerUrl(context.namespace),
    ...(tokenPath ? { tokenPath } : {}),
    ca: await serverCa(context),
  });
}

export const createRecordingController: ControllerFactory = (context) => {
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
      const server = await serverClient(context);
      const deps: RecordingDeps = { kube, server, now: context.now, log: context.log };
      const recording = object as unknown as Recording;
      if (recording.spec.watch)
        return reconcileWatch({ ...deps, watchKube, compare: compareProfiles }, recording);
      return reconcileRecording(deps, recording);
    },
  };
};
