// What the operator may do, in one place: deploy/base and the OLM bundle's ClusterServiceVersion are both
// generated from these rules.
//
// RBAC escalation: the API server lets the operator create a (Cluster)Role or binding only when it holds
// every permission that role grants (or has `escalate` / `bind`). The operator gets no `escalate` and no
// `bind`: it holds, itself, every permission it hands out (the server's rules: token and access reviews,
// pods, namespaces, events; the aggregated API's auth-delegator and extension-apiserver-authentication
// reader). So it can never grant more than it has, and these rules are the whole of what Furnace can do.
import type { V1PolicyRule } from '@kubernetes/client-node';
import { FURNACE_PLURAL, RECORDING_PLURAL } from '../../core/crd/resources.ts';
import { API_GROUP } from '../../core/contract/names.ts';

export const FURNACE_NAMESPACE = 'furnace';
export const OPERATOR_NAME = 'furnace-operator';

const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

/** Cluster-wide: a Furnace may live in any namespace, and its server serves every opted-in namespace. */
export const OPERATOR_CLUSTER_RULES: readonly V1PolicyRule[] = [
  // The custom resources: reconciled, their status written, finalizers for cleanup on deletion.
  { apiGroups: [API_GROUP], resources: [FURNACE_PLURAL], verbs: [...READ, 'update', 'patch'] },
  // The Recording controller calls the server as itself, and the server checks `create` (start), `get`
  // (read) and `delete` (old runs of a scheduled recording) on recordings with a SubjectAccessReview.
  { apiGroups: [API_GROUP], resources: [RECORDING_PLURAL], verbs: ALL },
  {
    apiGroups: [API_GROUP],
    resources: [`${FURNACE_PLURAL}/status`, `${RECORDING_PLURAL}/status`],
    verbs: ['get', 'update', 'patch'],
  },
  // ownerReferences with blockOwnerDeletion need this where OwnerReferencesPermissionEnforcement runs (OpenShift).
  {
    apiGroups: [API_GROUP],
    resources: [`${FURNACE_PLURAL}/finalizers`, `${RECORDING_PLURAL}/finalizers`],
    verbs: ['update'],
  },
  // What a Furnace installs. Secrets and config maps cluster-wide: the server's CA goes to a ConfigMap in
  // every opted-in namespace; the TLS Secrets live beside each Furnace.
  {
    apiGroups: [''],
    resources: ['serviceaccounts', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims'],
    verbs: ALL,
  },
  { apiGroups: ['apps'], resources: ['deployments', 'daemonsets'], verbs: ALL },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: ALL },
  { apiGroups: ['route.openshift.io'], resources: ['routes'], verbs: ALL },
  // Setting spec.host on a Route (Furnace.spec.route.host) needs this on OpenShift.
  { apiGroups: ['route.openshift.io'], resources: ['routes/custom-host'], verbs: ['create'] },
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ALL },
  { apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'], verbs: ALL },
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'],
    verbs: ALL,
  },
  // Read by the operator (recording targets, opted-in namespaces) and granted to the server.
  { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: READ },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  // Granted to the server (it authenticates sidecars and users, and authorizes users, with these).
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

/** In the operator's own namespace only: its leader-election lease. */
export const OPERATOR_NAMESPACE_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ALL },
];

const labels = { 'app.kubernetes.io/name': 'furnace', 'app.kubernetes.io/component': 'operator' };
const rbacApi = 'rbac.authorization.k8s.io/v1';
const subjects = [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: FURNACE_NAMESPACE }];

export function buildOperatorServiceAccount(): object {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: OPERATOR_NAME, namespace: FURNACE_NAMESPACE, labels },
  };
}

export function buildOperatorRbac(): object[] {
  const roleRef = (kind: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name: OPERATOR_NAME });
  const namespaced = { name: OPERATOR_NAME, namespace: FURNACE_NAMESPACE, labels };
  return [
    {
      apiVersion: rbacApi,
      kind: 'ClusterRole',
      metadata: { name: OPERATOR_NAME, labels },
      rules: OPERATOR_CLUSTER_RULES,
    },
    {
      apiVersion: rbacApi,
      kind: 'ClusterRoleBinding',
      metadata: { name: OPERATOR_NAME, labels },
      roleRef: roleRef('ClusterRole'),
      subjects,
    },
    { apiVersion: rbacApi, kind: 'Role', metadata: namespaced, rules: OPERATOR_NAMESPACE_RULES },
    { apiVersion: rbacApi, kind: 'RoleBinding', metadata: namespaced, roleRef: roleRef('Role'), subjects },
  ];
}
