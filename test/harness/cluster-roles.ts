// Cluster-wide permissions for kube-tier tests: a ClusterRole bound to a service account, labelled with
// the run id, and removed by the function it returns (namespaced RBAC goes with the run's namespaces).
import type { TestContext } from 'node:test';
import { RbacAuthorizationV1Api, type KubeConfig, type V1PolicyRule } from '@kubernetes/client-node';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { RUN_ID } from './cluster.ts';

export async function bindClusterRole(
  kc: KubeConfig,
  options: { name: string; namespace: string; serviceAccount: string; rules: V1PolicyRule[] },
): Promise<() => Promise<void>> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const name = `${options.name}-${RUN_ID}-${options.namespace}`;
  const labels = { [TEST_RUN_LABEL]: RUN_ID };
  await rbac.createClusterRole({ body: { metadata: { name, labels }, rules: options.rules } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: options.serviceAccount, namespace: options.namespace }],
    },
  });
  return async () => {
    await rbac.deleteClusterRoleBinding({ name });
    await rbac.deleteClusterRole({ name });
  };
}

/** Lets a service account read the non-resource URL /metrics until the test ends. */
export async function bindMetricsReader(
  t: TestContext,
  kc: KubeConfig,
  namespace: string,
  serviceAccount: string,
): Promise<void> {
  const unbind = await bindClusterRole(kc, {
    name: 'furnace-metrics',
    namespace,
    serviceAccount,
    rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
  });
  t.after(unbind);
}
