// The names of everything one Furnace makes, and the URLs built from them. Namespaced objects are named
// after the Furnace (`furnace` for the usual one, in namespace `furnace`, which gives the Service
// `furnace.furnace.svc` that the injection config's default serverUrl names); cluster-scoped ones add the
// namespace so that two Furnaces in two namespaces cannot collide.
import { RECORDER_PORT, SERVER_PORT } from '../../core/contract/names.ts';

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
    clusterRole: `furnace-server.${namespace}.${name}`,
    webhookConfiguration: `furnace.${namespace}.${name}`,
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
