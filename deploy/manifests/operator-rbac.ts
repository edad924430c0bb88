// What the operator may do, in one place: deploy/base and the OLM bundle's ClusterServiceVersion are both
// generated from these rules. Only what its objects need: a Role in its own namespace (where the one
// Furnace and everything namespaced it makes live), and cluster-wide rules that name each cluster-scoped
// object (and the CA ConfigMap of opted-in namespaces) in `resourceNames`, so that it can touch those and
// nothing else of their kind (a list or watch of them selects `metadata.name`, which RBAC checks against
// resourceNames). Read access stays cluster-wide where a controller must see every namespace: Furnaces
// (each one it does not act on hears why), Recordings and the pods they target, namespaces (opting in).
//
// RBAC escalation: the API server lets the operator create a (Cluster)Role or binding only when it holds
// every permission that role grants (or has `escalate` / `bind`, which would amount to cluster-admin). The
// operator has neither: it holds, itself, every permission it hands out (the server's ClusterRole: token
// and access reviews, pods, namespaces, events). So it can never grant more than it has.
import { RECORDING_ENTRY_PLURAL } from '../../core/crd/recording-entry-crd.ts';
import type { V1PolicyRule } from '@kubernetes/client-node';
import { FURNACE_PLURAL, RECORDING_PLURAL } from '../../core/crd/resources.ts';
import { API_GROUP } from '../../core/contract/names.ts';
import { EXTENSION_APISERVER_AUTHENTICATION } from '../../operator/furnace/furnace-inputs.ts';
import { CLUSTER_OBJECT_NAMES } from '../../operator/furnace/furnace-names.ts';

export const FURNACE_NAMESPACE = 'furnace';
export const OPERATOR_NAME = 'furnace-operator';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];
const ALL = [...READ, ...WRITE];

/** Cluster-wide: what every namespace's objects need, and the cluster-scoped objects by name. */
export const OPERATOR_CLUSTER_RULES: readonly V1PolicyRule[] = [
  // Every Furnace is read; each one the operator does not act on gets a status condition saying why.
  { apiGroups: [API_GROUP], resources: [FURNACE_PLURAL], verbs: READ },
  { apiGroups: [API_GROUP], resources: [`${FURNACE_PLURAL}/status`], verbs: ['get', 'update', 'patch'] },
  // Recordings in every namespace. The Recording controller calls the server as itself, and the server
  // checks `create` (start), `get` (read) and `delete` (old runs of a scheduled recording) with a
  // SubjectAccessReview; it writes nothing but their status.
  { apiGroups: [API_GROUP], resources: [RECORDING_PLURAL], verbs: [...READ, 'create', 'delete'] },
  { apiGroups: [API_GROUP], resources: [`${RECORDING_PLURAL}/status`], verbs: ['get', 'update', 'patch'] },
  // A continuous Recording: its finalizer (the selection is switched off before the Recording goes), and the
  // selection itself, which the server checks as `create` on recordings/continuous. The author's own
  // permission was checked by the API server (the ValidatingAdmissionPolicy below) when it was admitted.
  { apiGroups: [API_GROUP], resources: [RECORDING_PLURAL], verbs: ['patch'] },
  { apiGroups: [API_GROUP], resources: [`${RECORDING_PLURAL}/finalizers`], verbs: ['update'] },
  { apiGroups: [API_GROUP], resources: [`${RECORDING_PLURAL}/continuous`], verbs: ['create'] },
  // Read by the operator (recording targets, opted-in namespaces) and granted to the server.
  { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: READ },
  // The workloads a Recording's spec.watch follows (their pod template and rollout counts): read only, and
  // watched so that a rollout is seen when it happens (DeploymentConfigs are polled).
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: READ },
  { apiGroups: ['apps.openshift.io'], resources: ['deploymentconfigs'], verbs: ['get'] },
  // Granted to the server: the catalog entries its replicas share when artifacts are in a bucket.
  {
    apiGroups: [API_GROUP],
    resources: [RECORDING_ENTRY_PLURAL],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
  },
  // Granted to the server (it authenticates sidecars and users, authorizes users, and reports events); the
  // operator's own Events: a watching Recording's ProfileRegressed, on the Recording and its workload.
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  // The server's CA in every opted-in namespace, for the sidecars: that ConfigMap only.
  {
    apiGroups: [''],
    resources: ['configmaps'],
    resourceNames: [CLUSTER_OBJECT_NAMES.serverCaConfigMap],
    verbs: ALL,
  },
  // The API server's request-header CA (kube-system), copied for the aggregated API: read only.
  {
    apiGroups: [''],
    resources: ['configmaps'],
    resourceNames: [EXTENSION_APISERVER_AUTHENTICATION.name],
    verbs: ['get'],
  },
  // The server's ClusterRole and its binding, the webhook configuration, the admission policy of continuous
  // Recordings and its binding, and the APIService: by name (server-side apply authorizes a creation by name).
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterroles', 'clusterrolebindings'],
    resourceNames: [CLUSTER_OBJECT_NAMES.serverClusterRole],
    verbs: ALL,
  },
  {
    apiGroups: ['admissionregistration.k8s.io'],
    resources: ['mutatingwebhookconfigurations'],
    resourceNames: [CLUSTER_OBJECT_NAMES.webhookConfiguration],
    verbs: ALL,
  },
  {
    apiGroups: ['admissionregistration.k8s.io'],
    resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'],
    resourceNames: [CLUSTER_OBJECT_NAMES.recordingPolicy],
    verbs: ALL,
  },
  // The webhook the policy replaced: found and deleted when an install is upgraded, never made again.
  {
    apiGroups: ['admissionregistration.k8s.io'],
    resources: ['validatingwebhookconfigurations'],
    resourceNames: [CLUSTER_OBJECT_NAMES.legacyRecordingWebhookConfiguration],
    verbs: ['list', 'delete'],
  },
  {
    apiGroups: ['apiregistration.k8s.io'],
    resources: ['apiservices'],
    resourceNames: [CLUSTER_OBJECT_NAMES.apiService],
    verbs: ALL,
  },
  // OpenShift: the cluster network, which the router connects from (the server's trusted proxies): read,
  // by name.
  {
    apiGroups: ['config.openshift.io'],
    resources: ['networks'],
    resourceNames: ['cluster'],
    verbs: ['get'],
  },
];

/** In the operator's own namespace, where the one Furnace and everything namespaced it makes live. */
export const OPERATOR_NAMESPACE_RULES: readonly V1PolicyRule[] = [
  // The finalizer of the one Furnace; ownerReferences with blockOwnerDeletion need `update` on its
  // finalizers where OwnerReferencesPermissionEnforcement runs (OpenShift).
  { apiGroups: [API_GROUP], resources: [FURNACE_PLURAL], verbs: ['update', 'patch'] },
  { apiGroups: [API_GROUP], resources: [`${FURNACE_PLURAL}/finalizers`], verbs: ['update'] },
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
  // The operator's leader election, and granted to the server (its leader election and start slots).
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ALL },
  // With several server replicas: their PodDisruptionBudget, and the Role that lets them use Leases.
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ALL },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ALL },
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
