// Who the server is and who reaches it: its ServiceAccount and least-privilege ClusterRole (what
// docs/server.md lists, nothing more), the NetworkPolicy of its three listeners, and the Route
// (OpenShift) or Ingress that exposes the user listener.
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Ingress,
  V1PolicyRule,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import {
  NAMESPACE_LABEL,
  NAMESPACE_LABEL_VALUE,
  RECORDER_PORT,
  SERVER_PORT,
  WEBHOOK_PORT,
  API_GROUP,
} from '../../core/contract/names.ts';
import { RECORDING_ENTRY_PLURAL } from '../../core/crd/recording-entry-crd.ts';
import { RECORDING_PLURAL } from '../../core/crd/resources.ts';
import { ingressPolicy, labelledMeta, object, ownedMeta, type PlanContext } from './plan-input.ts';
import type { KubernetesObject } from '@kubernetes/client-node';

/** Exactly what the server calls (docs/server.md, "kubernetes" auth mode). */
export const SERVER_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  // The pod watch follows the opted-in namespaces (a watch with a label selector).
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  // The rollout watch's metrics: status.watch of the Recordings, read when Prometheus scrapes.
  { apiGroups: [API_GROUP], resources: [RECORDING_PLURAL], verbs: ['list'] },
];

/** With spec.storage.s3: the catalog entries the replicas share (docs/server.md, "Artifact stores"). */
export const SHARED_CATALOG_RULES: readonly V1PolicyRule[] = [
  {
    apiGroups: [API_GROUP],
    resources: [RECORDING_ENTRY_PLURAL],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
  },
];

export function planIdentity(context: PlanContext): KubernetesObject[] {
  const { names } = context;
  const account = object<V1ServiceAccount>('v1', 'ServiceAccount', {
    metadata: ownedMeta(context, names.server, 'server'),
  });
  // Pods, reviews and events of every opted-in namespace: cluster-wide by nature, so a ClusterRole.
  const role = object<V1ClusterRole>('rbac.authorization.k8s.io/v1', 'ClusterRole', {
    metadata: labelledMeta(context, names.clusterRole, 'server'),
    rules: [...SERVER_RULES, ...(context.furnace.spec?.storage?.s3 ? SHARED_CATALOG_RULES : [])].map(
      (rule) => ({ ...rule }),
    ),
  });
  const binding = object<V1ClusterRoleBinding>('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', {
    metadata: labelledMeta(context, names.clusterRole, 'server'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: names.clusterRole },
    subjects: [{ kind: 'ServiceAccount', name: names.server, namespace: names.namespace }],
  });
  return [account, role, binding];
}

/**
 * Users reach 8080 from anywhere (they are authenticated there); only pods of opted-in namespaces and
 * Furnace's own namespace (agents) reach the recorder listener; the webhook listener admits any source,
 * because the API server is not a pod a selector could name. Egress is not restricted: the server calls
 * the API server and the sidecars (12381) — a tenant namespace that denies ingress must admit it.
 */
export function planNetworkPolicy(context: PlanContext): KubernetesObject {
  const tcp = (port: number) => [{ protocol: 'TCP', port }];
  return ingressPolicy(context, context.names.networkPolicy, 'server', [
    { ports: tcp(SERVER_PORT) },
    {
      ports: tcp(RECORDER_PORT),
      from: [
        { namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: NAMESPACE_LABEL_VALUE } } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': context.names.namespace } } },
      ],
    },
    { ports: tcp(WEBHOOK_PORT) },
  ]);
}

/** OpenShift: a Route unless disabled, reencrypting to the Service the service CA certified. */
function planRoute(context: PlanContext): KubernetesObject[] {
  const route = context.furnace.spec?.route ?? {};
  if (context.platform !== 'openshift' || route.enabled === false) return [];
  return [
    object<KubernetesObject & { spec: unknown }>('route.openshift.io/v1', 'Route', {
      metadata: ownedMeta(context, context.names.server, 'server'),
      spec: {
        ...(route.host ? { host: route.host } : {}),
        to: { kind: 'Service', name: context.names.server },
        port: { targetPort: 'user' },
        tls: { termination: 'reencrypt', insecureEdgeTerminationPolicy: 'Redirect' },
      },
    }),
  ];
}

function planIngress(context: PlanContext): KubernetesObject[] {
  const ingress = context.furnace.spec?.ingress ?? {};
  if (!ingress.enabled) return [];
  const { names } = context;
  const backend = context.platform === 'openshift' ? names.server : names.userService;
  return [
    object<V1Ingress>('networking.k8s.io/v1', 'Ingress', {
      // The user listener speaks HTTPS only; this is the ingress-nginx way of saying so.
      metadata: ownedMeta(context, names.server, 'server', {
        'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      }),
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress.tlsSecretName
          ? {
              tls: [
                { ...(ingress.host ? { hosts: [ingress.host] } : {}), secretName: ingress.tlsSecretName },
              ],
            }
          : {}),
        rules: [
          {
            ...(ingress.host ? { host: ingress.host } : {}),
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: backend, port: { name: 'user' } } },
                },
              ],
            },
          },
        ],
      },
    }),
  ];
}

export function planExposure(context: PlanContext): KubernetesObject[] {
  return [...planRoute(context), ...planIngress(context)];
}
