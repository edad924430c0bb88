// The names of everything one Furnace makes, and the URLs built from them. Namespaced objects are named
// after the Furnace (`furnace`, in the operator's namespace, usually `furnace`: the Service
// `furnace.furnace.svc` that the injection config's default serverUrl names). There is one Furnace per
// cluster (acceptance.ts), so cluster-scoped objects have fixed names, which the operator's ClusterRole
// names in `resourceNames` (deploy/manifests/operator-rbac.ts): it may touch those and no others.
import { API_SERVICE_NAME } from '../../core/contract/aggregated-api.ts';
import { RECORDING_POLICY_NAME } from '../../core/crd/recording-admission.ts';
import { RECORDER_PORT, SERVER_CA_CONFIG_MAP, SERVER_PORT } from '../../core/contract/names.ts';

/** The name of the one Furnace the operator acts on, in its own namespace. */
export const FURNACE_NAME = 'furnace';

/** The cluster-scoped objects the operator makes, and the ConfigMap it writes in opted-in namespaces. */
export const CLUSTER_OBJECT_NAMES = {
  /** ClusterRole and ClusterRoleBinding of the server's service account. */
  serverClusterRole: 'furnace-server',
  /** The MutatingWebhookConfiguration (the name deploy/webhook's reference manifest has). */
  webhookConfiguration: 'furnace',
  /** The ValidatingAdmissionPolicy of continuous Recordings and its binding (deploy/webhook's manifest's name). */
  recordingPolicy: RECORDING_POLICY_NAME,
  /**
   * The ValidatingWebhookConfiguration that checked continuous Recordings before the policy: an operator
   * upgrading an install deletes the one it made (pruning finds it by this name).
   */
  legacyRecordingWebhookConfiguration: 'furnace-recordings',
  apiService: API_SERVICE_NAME,
  /** In every opted-in namespace: the server's CA for the sidecars. */
  serverCaConfigMap: SERVER_CA_CONFIG_MAP,
} as const;

export interface FurnaceNames {
  namespace: string;
  /** ServiceAccount, Deployment, and the Service of the recorder (8081) and webhook (8443) listeners. */
  server: string;
  /** The Service of the user listener (8080); Route, Ingress and the readiness check go there. */
  userService: string;
  /** ConfigMap of the server's config file and the injection config file. */
  config: string;
  /** Secret the server mounts: tls.crt, tls.key, ca.crt (the trust bundle). */
  tls: string;
  /** Secret of the CA's certificate and key, read by the operator only (Kubernetes platform). */
  ca: string;
  /** ConfigMap the OpenShift service CA operator fills with its CA (OpenShift platform). */
  serviceCa: string;
  catalog: string;
  networkPolicy: string;
  /** ClusterRole and ClusterRoleBinding of the server's service account. */
  clusterRole: string;
  webhookConfiguration: string;
  recordingPolicy: string;
  /** Agent mode: ServiceAccount, DaemonSet and NetworkPolicy of the node agents. */
  agent: string;
  /** ConfigMap of the API server's request-header CA and allowed names (the aggregated API). */
  requestHeader: string;
}

export function furnaceNames(namespace: string, name: string): FurnaceNames {
  return {
    namespace,
    server: name,
    userService: `${name}-api`,
    config: `${name}-config`,
    tls: `${name}-tls`,
    ca: `${name}-ca`,
    serviceCa: `${name}-service-ca`,
    catalog: `${name}-catalog`,
    networkPolicy: name,
    clusterRole: CLUSTER_OBJECT_NAMES.serverClusterRole,
    webhookConfiguration: CLUSTER_OBJECT_NAMES.webhookConfiguration,
    recordingPolicy: CLUSTER_OBJECT_NAMES.recordingPolicy,
    agent: `${name}-agent`,
    requestHeader: `${name}-request-header`,
  };
}

/** The DNS names a Service answers to inside the cluster. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

/** Every name the serving certificate carries: both Services, plus `extra` (FURNACE_OPERATOR_EXTRA_DNS_NAMES). */
export function servingDnsNames(names: FurnaceNames, extra: readonly string[] = []): string[] {
  return [
    ...serviceDnsNames(names.server, names.namespace),
    ...serviceDnsNames(names.userService, names.namespace),
    ...extra,
  ];
}

/** Where sidecars register (FURNACE_SERVER_URL): the recorder listener behind the server Service. */
export function recorderUrl(names: FurnaceNames): string {
  return `https://${names.server}.${names.namespace}.svc:${RECORDER_PORT}`;
}

/** The user listener inside the cluster. */
export function userServiceUrl(names: FurnaceNames): string {
  return `https://${names.userService}.${names.namespace}.svc:${SERVER_PORT}`;
}
