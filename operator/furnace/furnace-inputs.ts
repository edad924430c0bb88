// What the Furnace reconcile reads before planning: the platform, the opted-in namespaces, and the
// certificates as they are stored (Kubernetes: the operator's two Secrets; OpenShift: the service CA's
// ConfigMap). Thin I/O over the applier.
import type { V1ConfigMap, V1LabelSelector, V1Namespace, V1Secret } from '@kubernetes/client-node';
import { NAMESPACE_LABEL, NAMESPACE_LABEL_VALUE } from '../../core/contract/names.ts';
import type { Applier } from '../apply.ts';
import type { KubeRequest } from '../../kube/kube-request.ts';
import { formatLabelSelector } from '../label-selector.ts';
import { RESOURCES } from '../resources.ts';
import type { ServerCertificates } from './certificates.ts';
import type { FurnaceNames } from './furnace-names.ts';
import { SHARED_KEY_ENTRY, sharedKeySecretName } from './plan-shared-key.ts';
import type { Platform, RequestHeaderSource } from './plan-input.ts';

/** OpenShift serves route.openshift.io; nothing else needs to be asked. */
export async function detectPlatform(request: KubeRequest): Promise<Platform> {
  const answer = await request({ method: 'GET', path: '/apis/route.openshift.io/v1' });
  return answer.status === 200 ? 'openshift' : 'kubernetes';
}

/** OpenShift's cluster network configuration, read by name (the operator may read this one only). */
export const CLUSTER_NETWORK_PATH = '/apis/config.openshift.io/v1/networks/cluster';

interface NetworkConfig {
  spec?: { clusterNetwork?: { cidr?: unknown }[] };
  status?: { clusterNetwork?: { cidr?: unknown }[] };
}

/**
 * OpenShift: the cluster network's CIDRs, where the router's connections to a pod come from (router pods,
 * and host-network routers through the node's port on that network). [] when it cannot be read.
 */
export async function readClusterNetworks(request: KubeRequest): Promise<string[]> {
  const answer = await request({ method: 'GET', path: CLUSTER_NETWORK_PATH });
  if (answer.status !== 200) return [];
  const config = answer.body as NetworkConfig;
  const entries = config.status?.clusterNetwork ?? config.spec?.clusterNetwork ?? [];
  const cidrs = entries.map((entry) => entry.cidr).filter((cidr): cidr is string => typeof cidr === 'string');
  return [...new Set(cidrs.filter((cidr) => /^[0-9A-Fa-f:.]+\/\d{1,3}$/.test(cidr)))];
}

/**
 * Namespaces whose new pods the webhook sends to the server: labelled furnace=enabled and matching the
 * Furnace's spec.webhook.namespaceSelector, if it has one. They get the server's CA.
 */
export async function listOptedInNamespaces(
  applier: Applier,
  narrowedBy?: V1LabelSelector,
): Promise<string[]> {
  const optIn = `${NAMESPACE_LABEL}=${NAMESPACE_LABEL_VALUE}`;
  const narrowing = narrowedBy ? formatLabelSelector(narrowedBy) : '';
  const namespaces = await applier.list<V1Namespace>(RESOURCES.Namespace, {
    labelSelector: narrowing ? `${optIn},${narrowing}` : optIn,
  });
  return namespaces
    .filter((namespace) => !namespace.metadata?.deletionTimestamp)
    .map((namespace) => namespace.metadata?.name ?? '')
    .filter((name) => name !== '')
    .sort();
}

function decoded(secret: V1Secret | undefined, key: string): string | undefined {
  const value = secret?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** The certificates as the Secrets hold them; missing parts stay undefined. */
export async function readStoredCertificates(
  applier: Applier,
  names: FurnaceNames,
): Promise<Partial<ServerCertificates>> {
  const key = (name: string) => ({ namespace: names.namespace, name });
  const [ca, tls] = await Promise.all([
    applier.get<V1Secret>(RESOURCES.Secret, key(names.ca)),
    applier.get<V1Secret>(RESOURCES.Secret, key(names.tls)),
  ]);
  const stored: Partial<ServerCertificates> = {};
  const caCert = decoded(ca, 'tls.crt');
  const caKey = decoded(ca, 'tls.key');
  if (caCert && caKey) stored.ca = { certPem: caCert, keyPem: caKey };
  const cert = decoded(tls, 'tls.crt');
  const servingKey = decoded(tls, 'tls.key');
  if (cert && servingKey) stored.serving = { certPem: cert, keyPem: servingKey };
  const bundle = decoded(tls, 'ca.crt');
  if (bundle) stored.bundlePem = bundle;
  return stored;
}

/** OpenShift: the service CA's PEM, once its operator has filled the ConfigMap ('' before). */
export async function readServiceCa(applier: Applier, names: FurnaceNames): Promise<string> {
  const configMap = await applier.get<V1ConfigMap>(RESOURCES.ConfigMap, {
    namespace: names.namespace,
    name: names.serviceCa,
  });
  return configMap?.data?.['service-ca.crt'] ?? '';
}

/** Where the API server publishes its request-header (front-proxy) CA for aggregated API servers. */
export const EXTENSION_APISERVER_AUTHENTICATION = {
  namespace: 'kube-system',
  name: 'extension-apiserver-authentication',
} as const;

function namesOf(json: string | undefined): string[] {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The API server's request-header CA and allowed names, or undefined when it runs without the
 * aggregation layer (no ConfigMap, or one without `requestheader-client-ca-file`).
 */
export async function readRequestHeaderSource(applier: Applier): Promise<RequestHeaderSource | undefined> {
  const configMap = await applier.get<V1ConfigMap>(RESOURCES.ConfigMap, EXTENSION_APISERVER_AUTHENTICATION);
  const clientCaPem = configMap?.data?.['requestheader-client-ca-file'] ?? '';
  if (clientCaPem.trim() === '') return undefined;
  return { clientCaPem, allowedNames: namesOf(configMap?.data?.['requestheader-allowed-names']) };
}

/** The replicas' shared key file as its Secret holds it, or undefined (plan-shared-key.ts decides). */
export async function readStoredSharedKey(
  applier: Applier,
  names: FurnaceNames,
): Promise<string | undefined> {
  const secret = await applier.get<V1Secret>(RESOURCES.Secret, {
    namespace: names.namespace,
    name: sharedKeySecretName(names),
  });
  return decoded(secret, SHARED_KEY_ENTRY);
}
