// The operator as a local process against the test API server (node --import tsx operator/main.ts, the
// admin kubeconfig by KUBECONFIG unless a test passes another), the CRDs from deploy/crds, and reads of
// what it made through kubectl.
import assert from 'node:assert/strict';
import { before, type TestContext } from 'node:test';
import type { KubeConfig, KubernetesObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { API_GROUP_VERSION, SERVER_CA_CONFIG_MAP, SERVER_CA_KEY } from '../../core/contract/names.ts';
import { type Furnace, type FurnaceSpec } from '../../core/crd/resources.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { installCrds } from '../harness/crds.ts';
import { eventually } from '../harness/eventually.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { startFurnace, type RunningProcess } from '../harness/processes.ts';

export const MANAGED = 'app.kubernetes.io/managed-by=furnace-operator';

export { installCrds } from '../harness/crds.ts';

/** The run's control plane for an operator test file, with the CRDs installed before its tests. */
export async function useOperatorCluster(): Promise<{ cp: ControlPlane; kc: KubeConfig }> {
  const cluster = await useCluster();
  before(() => installCrds(cluster.cp));
  return cluster;
}

/**
 * Starts the operator for one test, with `namespace` as its own (where it acts on the Furnace `furnace`).
 * At the end of the test the Furnace in `namespace` is deleted while the
 * operator still runs (its finalizer cleans up, so no webhook configuration outlives the test), and only
 * then is the operator stopped (t.after hooks run in the order they were added).
 */
export function startOperator(
  t: TestContext,
  cp: ControlPlane,
  namespace: string,
  env: Record<string, string> = {},
): RunningProcess {
  t.after(() => deleteFurnace(cp, namespace));
  const operator = startFurnace(t, ['operator/main.ts'], {
    KUBECONFIG: cp.kubeconfigPath,
    FURNACE_OPERATOR_PLATFORM: 'kubernetes',
    FURNACE_OPERATOR_READY_POLL_SECONDS: '1',
    FURNACE_OPERATOR_NAMESPACE: namespace,
    ...env,
  });
  t.after(() => {
    if (process.env.FURNACE_TEST_VERBOSE) process.stderr.write(operator.output());
  });
  return operator;
}

/** kubectl get … -o json; undefined when it does not exist. */
export async function getJson<T>(cp: ControlPlane, args: string[]): Promise<T | undefined> {
  const got = await cp.kubectl(['get', ...args, '-o', 'json']);
  if (got.code !== 0) {
    if (/NotFound|not found/.test(got.stderr)) return undefined;
    throw new Error(got.stderr);
  }
  return JSON.parse(got.stdout) as T;
}

export async function listJson(cp: ControlPlane, args: string[]): Promise<KubernetesObject[]> {
  return (await getJson<{ items: KubernetesObject[] }>(cp, args))?.items ?? [];
}

export async function applyFurnace(
  cp: ControlPlane,
  namespace: string,
  spec: FurnaceSpec,
  name = 'furnace',
): Promise<void> {
  const body = { apiVersion: API_GROUP_VERSION, kind: 'Furnace', metadata: { name, namespace }, spec };
  const applied = await cp.kubectl(['apply', '--server-side', '--field-manager=test', '-f', '-'], {
    input: JSON.stringify(body),
  });
  assert.equal(applied.code, 0, applied.stderr);
}

export function getFurnace(
  cp: ControlPlane,
  namespace: string,
  name = 'furnace',
): Promise<Furnace | undefined> {
  return getJson<Furnace>(cp, ['furnace', name, '-n', namespace]);
}

export function conditionOf(furnace: Furnace | undefined, type: string) {
  return furnace?.status?.conditions?.find((c) => c.type === type);
}

/** The Furnace once its status has caught up with its generation and `ready` accepts it. */
export function waitForFurnace(
  cp: ControlPlane,
  namespace: string,
  ready: (furnace: Furnace) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<Furnace> {
  return eventually(
    async () => {
      const furnace = await getFurnace(cp, namespace);
      const current = furnace && furnace.status?.observedGeneration === furnace.metadata.generation;
      return current && ready(furnace) ? furnace : undefined;
    },
    timeoutMs,
    what,
    250,
  );
}

/** The Furnace once the operator has registered its webhook (condition WebhookReady True). */
export function waitForWebhookReady(cp: ControlPlane, namespace: string, what: string): Promise<Furnace> {
  return waitForFurnace(cp, namespace, (f) => conditionOf(f, 'WebhookReady')?.status === 'True', what);
}

/** Waits until the sidecar CA ConfigMap in `namespace` holds `bundle`, as the operator keeps it. */
export async function waitForServerCa(cp: ControlPlane, namespace: string, bundle: string, what: string) {
  await eventually(
    async () =>
      (await getJson<V1ConfigMap>(cp, ['configmap', SERVER_CA_CONFIG_MAP, '-n', namespace]))?.data?.[
        SERVER_CA_KEY
      ] === bundle || undefined,
    30_000,
    what,
  );
}

export function secretText(secret: V1Secret | undefined, key: string): string {
  return Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8');
}

/** Deletes the Furnace and waits until the finalizer let it go. */
export async function deleteFurnace(cp: ControlPlane, namespace: string, name = 'furnace'): Promise<void> {
  const deleted = await cp.kubectl([
    'delete',
    'furnace',
    name,
    '-n',
    namespace,
    '--wait=false',
    '--ignore-not-found',
  ]);
  assert.equal(deleted.code, 0, deleted.stderr);
  await eventually(
    async () => ((await getFurnace(cp, namespace, name)) === undefined ? true : undefined),
    60_000,
    `Furnace ${namespace}/${name} gone`,
    250,
  );
}

/** Label that scopes one test's Furnace to its own namespaces (kube test files may run side by side). */
export const SCOPE_LABEL = 'furnace-operator-test';

/**
 * The spec with a webhook namespaceSelector that only this test's namespaces match: the webhook and the
 * CA ConfigMaps then leave other test files' opted-in namespaces alone.
 */
export function scoped(scope: string, spec: FurnaceSpec = {}): FurnaceSpec {
  const selector = spec.webhook?.namespaceSelector ?? {};
  return {
    ...spec,
    webhook: {
      ...spec.webhook,
      namespaceSelector: { ...selector, matchLabels: { ...selector.matchLabels, [SCOPE_LABEL]: scope } },
    },
  };
}

/** A namespace labelled furnace=enabled and with this test's scope. */
export function createScopedNamespace(kc: KubeConfig, scope: string, prefix: string): Promise<string> {
  return createNamespace(kc, { enabled: true, prefix, labels: { [SCOPE_LABEL]: scope } });
}
