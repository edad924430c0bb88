// Pure: how many server replicas a Furnace asks for and what several replicas need. `spec.replicas`
// (default 1, or 2 when a bucket holds the catalog: `spec.storage.s3`), and with more than one: rolling
// updates that keep one replica serving (a PodDisruptionBudget of minAvailable 1 against drains, pods
// spread over nodes), the server told to coordinate through Leases (leader of the chores, start slots)
// in its own namespace with a Role for them, and a drain on shutdown so endpoints move before the
// listeners close. Several replicas cannot share the filesystem catalog (one ReadWriteOnce volume), so
// replicas > 1 without a bucket is refused. One replica stays exactly as before.
import type {
  V1Affinity,
  V1DeploymentStrategy,
  V1PodDisruptionBudget,
  V1Role,
  V1RoleBinding,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Furnace, FurnaceSpec } from '../../core/crd/resources.ts';
import { object, ownedMeta, selectorOf, type PlanContext } from './plan-input.ts';

/** How long a stopping replica keeps serving with its readiness off (server `shutdown.drainSeconds`). */
export const DRAIN_SECONDS = 5;

/** `spec.storage.s3`, read as an optional field whatever the spec's type says (a bucket for the catalog). */
export function hasBucket(spec: FurnaceSpec | undefined): boolean {
  const storage = (spec as { storage?: { s3?: unknown } } | undefined)?.storage;
  return storage?.s3 !== undefined && storage.s3 !== null;
}

export function serverReplicas(spec: FurnaceSpec | undefined): number {
  return spec?.replicas ?? (hasBucket(spec) ? 2 : 1);
}

/** Why the replicas cannot run as asked, or undefined. */
export function replicasRefusal(furnace: Furnace): string | undefined {
  const replicas = serverReplicas(furnace.spec);
  if (replicas <= 1 || hasBucket(furnace.spec)) return undefined;
  return `spec.replicas is ${replicas}, but several replicas need spec.storage.s3: the filesystem catalog is one ReadWriteOnce volume that one replica at a time can write; nothing was applied`;
}

export function isReplicated(context: PlanContext): boolean {
  return serverReplicas(context.furnace.spec) > 1;
}

/** The Deployment's replicas, strategy and pod affinity. */
export function replicaSpec(context: PlanContext): {
  replicas: number;
  strategy: V1DeploymentStrategy;
  affinity?: V1Affinity;
} {
  const replicas = serverReplicas(context.furnace.spec);
  // One writer of the catalog volume (ReadWriteOnce) at a time.
  if (replicas <= 1) return { replicas, strategy: { type: 'Recreate' } };
  return {
    replicas,
    // A new pod is ready before an old one goes: the webhook and the UI never lose their last replica.
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: selectorOf(context, 'server') },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    },
  };
}

/** The server configuration's `coordination` and `shutdown` with several replicas; nothing with one. */
export function coordinationConfig(context: PlanContext): Record<string, unknown> {
  if (!isReplicated(context)) return {};
  return {
    coordination: { mode: 'kubernetes', namespace: context.names.namespace },
    shutdown: { drainSeconds: DRAIN_SECONDS },
  };
}

export function planDisruptionBudget(context: PlanContext): KubernetesObject[] {
  if (!isReplicated(context)) return [];
  return [
    object<V1PodDisruptionBudget>('policy/v1', 'PodDisruptionBudget', {
      metadata: ownedMeta(context, context.names.server, 'server'),
      spec: { minAvailable: 1, selector: { matchLabels: selectorOf(context, 'server') } },
    }),
  ];
}

/** Leases in the server's own namespace (leader election, start slots), with several replicas. */
export function planLeaseRole(context: PlanContext): KubernetesObject[] {
  if (!isReplicated(context)) return [];
  const { names } = context;
  const name = `${names.server}-coordination`;
  return [
    object<V1Role>('rbac.authorization.k8s.io/v1', 'Role', {
      metadata: ownedMeta(context, name, 'server'),
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
        },
      ],
    }),
    object<V1RoleBinding>('rbac.authorization.k8s.io/v1', 'RoleBinding', {
      metadata: ownedMeta(context, name, 'server'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: names.server, namespace: names.namespace }],
    }),
  ];
}
