// The resources the operator reads and writes, by kind, and their URL paths. One table, so the apply
// layer, the supervisor and the pruning of objects no longer planned agree on every path.
import type { KubernetesObject } from '@kubernetes/client-node';
import { FurnaceError } from '../core/contract/errors.ts';
import { API_GROUP_VERSION, KIND_FURNACE, KIND_RECORDING } from '../core/contract/names.ts';

/** namespace/name of one object; `namespace` is '' for a cluster-scoped object. */
export interface ObjectKey {
  namespace: string;
  name: string;
}

/**
 * A resource the supervisor lists and watches, and pruning looks through: in every namespace, or in
 * `namespace` only; every object, or those `labelSelector` and `fieldSelector` pick. The operator's rights
 * decide which: namespaced kinds in its own namespace, cluster-scoped ones by name.
 */
export interface WatchedResource {
  /** `group/version`, or `v1` for the core group. */
  apiVersion: string;
  kind: string;
  /** The lower-case plural of the URL path (`furnaces`, `configmaps`). */
  plural: string;
  namespaced: boolean;
  /** Watch only objects with these labels (`key=value,...`). */
  labelSelector?: string;
  /** Only this namespace (a namespaced kind). */
  namespace?: string;
  /** Only objects these fields pick: `metadata.name=<name>`, which RBAC checks against `resourceNames`. */
  fieldSelector?: string;
}

export function formatKey(key: ObjectKey): string {
  return key.namespace === '' ? key.name : `${key.namespace}/${key.name}`;
}

export function keyOf(object: KubernetesObject): ObjectKey {
  return { namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
}

function resource(apiVersion: string, kind: string, plural: string, namespaced = true): WatchedResource {
  return { apiVersion, kind, plural, namespaced };
}

export const RESOURCES = {
  Furnace: resource(API_GROUP_VERSION, KIND_FURNACE, 'furnaces'),
  Recording: resource(API_GROUP_VERSION, KIND_RECORDING, 'recordings'),
  Namespace: resource('v1', 'Namespace', 'namespaces', false),
  ServiceAccount: resource('v1', 'ServiceAccount', 'serviceaccounts'),
  Secret: resource('v1', 'Secret', 'secrets'),
  ConfigMap: resource('v1', 'ConfigMap', 'configmaps'),
  Service: resource('v1', 'Service', 'services'),
  PersistentVolumeClaim: resource('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  Pod: resource('v1', 'Pod', 'pods'),
  Deployment: resource('apps/v1', 'Deployment', 'deployments'),
  DaemonSet: resource('apps/v1', 'DaemonSet', 'daemonsets'),
  StatefulSet: resource('apps/v1', 'StatefulSet', 'statefulsets'),
  Role: resource('rbac.authorization.k8s.io/v1', 'Role', 'roles'),
  PodDisruptionBudget: resource('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  RoleBinding: resource('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings'),
  ClusterRole: resource('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false),
  ClusterRoleBinding: resource(
    'rbac.authorization.k8s.io/v1',
    'ClusterRoleBinding',
    'clusterrolebindings',
    false,
  ),
  NetworkPolicy: resource('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  Ingress: resource('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  Route: resource('route.openshift.io/v1', 'Route', 'routes'),
  MutatingWebhookConfiguration: resource(
    'admissionregistration.k8s.io/v1',
    'MutatingWebhookConfiguration',
    'mutatingwebhookconfigurations',
    false,
  ),
  ValidatingWebhookConfiguration: resource(
    'admissionregistration.k8s.io/v1',
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    false,
  ),
  ValidatingAdmissionPolicy: resource(
    'admissionregistration.k8s.io/v1',
    'ValidatingAdmissionPolicy',
    'validatingadmissionpolicies',
    false,
  ),
  ValidatingAdmissionPolicyBinding: resource(
    'admissionregistration.k8s.io/v1',
    'ValidatingAdmissionPolicyBinding',
    'validatingadmissionpolicybindings',
    false,
  ),
  APIService: resource('apiregistration.k8s.io/v1', 'APIService', 'apiservices', false),
} as const satisfies Record<string, WatchedResource>;

export type KnownKind = keyof typeof RESOURCES;

export function resourceOfKind(kind: string): WatchedResource {
  const found = (RESOURCES as Record<string, WatchedResource>)[kind];
  if (!found)
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `kind ${kind} is not one the operator manages (${Object.keys(RESOURCES).join(', ')})`,
    );
  return found;
}

export function resourceOf(object: KubernetesObject): WatchedResource {
  return resourceOfKind(object.kind ?? '');
}

/** `/api/v1` or `/apis/group/version`. */
function groupPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The selector of one object by name: a list or watch RBAC authorizes with `resourceNames`. */
export function byName(name: string): string {
  return `metadata.name=${name}`;
}

/** Whether a list of `resource` (its namespace and name selector; labels aside) holds `object`. */
export function selects(resource: WatchedResource, object: KubernetesObject): boolean {
  if (object.kind !== resource.kind) return false;
  if (resource.namespace !== undefined && object.metadata?.namespace !== resource.namespace) return false;
  const name = resource.fieldSelector?.match(/^metadata\.name=(.*)$/)?.[1];
  return name === undefined || object.metadata?.name === name;
}

/** The collection path: in one namespace, or across all of them when `namespace` is undefined. */
export function collectionPath(resource: WatchedResource, namespace?: string): string {
  const scope = resource.namespaced && namespace !== undefined ? `/namespaces/${namespace}` : '';
  return `${groupPath(resource.apiVersion)}${scope}/${resource.plural}`;
}

export function objectPath(resource: WatchedResource, key: ObjectKey): string {
  const namespace = resource.namespaced ? key.namespace : undefined;
  return `${collectionPath(resource, namespace)}/${encodeURIComponent(key.name)}`;
}
