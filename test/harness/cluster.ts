// Cluster helpers for kube-tier tests: run-labelled namespaces, webhook registration, users and tokens.
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import {
  AdmissionregistrationV1Api,
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import type { V1MutatingWebhookConfiguration, V1PolicyRule } from '@kubernetes/client-node';
import { NAMESPACE_LABEL, NAMESPACE_LABEL_VALUE, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { getControlPlane, type ControlPlane } from './control-plane.ts';
import { eventually } from './eventually.ts';

/** Every object a test run creates carries TEST_RUN_LABEL=RUN_ID. */
export const RUN_ID = process.env.FURNACE_TEST_RUN_ID ?? `r${randomBytes(4).toString('hex')}`;
const runLabels = { [TEST_RUN_LABEL]: RUN_ID };

function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates a namespace labelled with the run id (and `furnace=enabled` when enabled) and waits for what
 * the controller manager adds to it: the `default` service account, which pods need to pass admission,
 * and the `kube-root-ca.crt` config map that service-account token volumes project.
 */
export async function createNamespace(
  kc: KubeConfig,
  options: { enabled?: boolean; labels?: Record<string, string>; prefix?: string } = {},
): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = uniqueName(options.prefix ?? 'ft');
  const labels: Record<string, string> = { ...runLabels, ...options.labels };
  if (options.enabled) labels[NAMESPACE_LABEL] = NAMESPACE_LABEL_VALUE;
  await core.createNamespace({ body: { metadata: { name, labels } } });
  await eventually(
    async () => {
      const [accounts, maps] = await Promise.all([
        core.listNamespacedServiceAccount({ namespace: name, fieldSelector: 'metadata.name=default' }),
        core.listNamespacedConfigMap({ namespace: name, fieldSelector: 'metadata.name=kube-root-ca.crt' }),
      ]);
      return accounts.items.length > 0 && maps.items.length > 0 ? true : undefined;
    },
    30_000,
    `the controller manager filling namespace ${name}`,
  );
  return name;
}

/**
 * Deletes what this run created: pods in its namespaces, then the namespaces, webhook configurations and
 * cluster-scoped RBAC carrying the run label; the namespace controller then removes the namespaces.
 */
export async function deleteRunObjects(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const labelSelector = `${TEST_RUN_LABEL}=${RUN_ID}`;
  const namespaces = await core.listNamespace({ labelSelector });
  for (const ns of namespaces.items) {
    const namespace = ns.metadata?.name;
    if (!namespace) continue;
    await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
    await core.deleteNamespace({ name: namespace });
  }
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  await admission.deleteCollectionMutatingWebhookConfiguration({ labelSelector });
}

/** Creates the configuration (labelled with the run id) and returns a function that removes it. */
export async function applyWebhookConfiguration(
  kc: KubeConfig,
  config: V1MutatingWebhookConfiguration,
): Promise<() => Promise<void>> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const body: V1MutatingWebhookConfiguration = {
    ...config,
    metadata: { ...config.metadata, labels: { ...config.metadata?.labels, ...runLabels } },
  };
  const created = await api.createMutatingWebhookConfiguration({ body });
  const name = created.metadata?.name ?? '';
  return async () => {
    await api.deleteMutatingWebhookConfiguration({ name });
  };
}

export interface TokenOptions {
  namespace: string;
  serviceAccount: string;
  audiences?: string[];
  expirationSeconds?: number;
  /** Binds the token to a pod, as a projected service-account token volume does. */
  boundPod?: { name: string; uid: string };
  /** Binds the token to a Secret instead: deleting the Secret revokes the token. */
  boundSecret?: { name: string; uid: string };
}

function boundObjectRef(options: TokenOptions) {
  const ref = (kind: string, object: { name: string; uid: string }) => ({
    kind,
    apiVersion: 'v1',
    ...object,
  });
  if (options.boundPod) return ref('Pod', options.boundPod);
  if (options.boundSecret) return ref('Secret', options.boundSecret);
  return undefined;
}

/** A token from the TokenRequest API. */
export async function createServiceAccountToken(kc: KubeConfig, options: TokenOptions): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const result = await core.createNamespacedServiceAccountToken({
    name: options.serviceAccount,
    namespace: options.namespace,
    body: {
      spec: {
        audiences: options.audiences ?? [],
        expirationSeconds: options.expirationSeconds ?? 3600,
        boundObjectRef: boundObjectRef(options),
      },
    },
  });
  const token = result.status?.token;
  if (!token)
    throw new Error(`TokenRequest for ${options.namespace}/${options.serviceAccount} returned no token`);
  return token;
}

export interface TestUser {
  username: string;
  token: string;
  /** A KubeConfig that authenticates as this user. */
  kubeConfig: KubeConfig;
}

/** A service account bound by a Role (with the given rules) in namespace, and a token for it. */
export async function createUser(
  kc: KubeConfig,
  options: { name: string; namespace: string; rules: V1PolicyRule[] },
): Promise<TestUser> {
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const { name, namespace } = options;
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, labels: runLabels } } });
  await rbac.createNamespacedRole({
    namespace,
    body: { metadata: { name, labels: runLabels }, rules: options.rules },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name, labels: runLabels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const token = await createServiceAccountToken(kc, { namespace, serviceAccount: name });
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const userKc = new KubeConfig();
  userKc.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return { username: `system:serviceaccount:${namespace}:${name}`, token, kubeConfig: userKc };
}

/** TokenReview as the API server answers it. */
export async function reviewToken(kc: KubeConfig, token: string, audiences?: string[]) {
  const api = kc.makeApiClient(AuthenticationV1Api);
  const review = await api.createTokenReview({ body: { spec: { token, audiences } } });
  return review.status ?? {};
}

/**
 * The run's shared control plane for one kube-tier test file; this run's objects are deleted after the
 * file's tests. Call it at the file's top level: `const { cp, kc } = await useCluster();`
 */
export async function useCluster(): Promise<{ cp: ControlPlane; kc: KubeConfig }> {
  const cp = await getControlPlane();
  const kc = cp.kubeConfig();
  after(() => deleteRunObjects(kc));
  return { cp, kc };
}
