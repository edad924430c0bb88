// What planning a Furnace starts from, and the metadata every planned object shares: the managed-by
// and owner labels, and an owner reference on namespaced objects in the Furnace's namespace (the garbage
// collector removes those with it; the finalizer removes the rest by label).
import type { KubernetesObject, V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_LABEL } from '../apply.ts';
import { furnaceNames, type FurnaceNames } from './furnace-names.ts';
import { DEFAULT_IMAGES, type Furnace } from '../../core/crd/resources.ts';

export const PLATFORMS = ['kubernetes', 'openshift'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface PlannedCertificates {
  /** Kubernetes platform: the CA (its key stays in a Secret the server does not mount). */
  ca?: { certPem: string; keyPem: string };
  /** Kubernetes platform: the serving certificate and key. */
  serving?: { certPem: string; keyPem: string };
  /** PEM of the CAs to trust for the server: caBundle, the sidecar CA ConfigMaps, the injection config. */
  bundlePem: string;
}

/**
 * The API server's request-header CA and the common names its front proxy may have (ConfigMap
 * kube-system/extension-apiserver-authentication): the aggregated API needs them; absent when the API
 * server runs without the aggregation layer.
 */
export interface RequestHeaderSource {
  clientCaPem: string;
  allowedNames: string[];
}

export interface PlanInput {
  furnace: Furnace;
  platform: Platform;
  certificates: PlannedCertificates;
  /** Namespaces labelled furnace=enabled: each gets the `furnace-server-ca` ConfigMap. */
  optedInNamespaces: readonly string[];
  /** The webhook's clientConfig.url instead of the Service (FURNACE_OPERATOR_WEBHOOK_URL). */
  webhookUrl?: string;
  /** Read by the reconcile; without it no APIService and no `requestHeader.*` keys are planned. */
  requestHeader?: RequestHeaderSource;
  /** The replicas' shared key file, as stored or newly made (plan-shared-key.ts); none planned without it. */
  sharedKey?: string;
  /**
   * OpenShift: the cluster network's CIDRs (networks.config.openshift.io `cluster`), where the router's
   * connections to the server come from; the server's trusted proxies when a Route is planned.
   */
  clusterNetworks?: readonly string[];
}

/** Everything the planners read, resolved once: names, images and the owner. */
export interface PlanContext extends PlanInput {
  names: FurnaceNames;
  images: { server: string; sidecar: string; agent: string };
  ownerUid: string;
}

export function planContext(input: PlanInput): PlanContext {
  const { furnace } = input;
  const images = furnace.spec?.images ?? {};
  return {
    ...input,
    names: furnaceNames(furnace.metadata?.namespace ?? '', furnace.metadata?.name ?? ''),
    images: {
      server: images.server ?? DEFAULT_IMAGES.server,
      sidecar: images.sidecar ?? DEFAULT_IMAGES.sidecar,
      agent: images.agent ?? DEFAULT_IMAGES.agent,
    },
    ownerUid: furnace.metadata?.uid ?? '',
  };
}

/** The labels that pick a component's pods: the part of labelsOf that never changes. */
export function selectorOf(context: PlanContext, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'furnace',
    'app.kubernetes.io/instance': context.names.server,
    'app.kubernetes.io/component': component,
  };
}

export function labelsOf(context: PlanContext, component: string): Record<string, string> {
  return {
    ...selectorOf(context, component),
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [OWNER_LABEL]: context.ownerUid,
  };
}

function ownerReference(furnace: Furnace): V1OwnerReference {
  return {
    apiVersion: furnace.apiVersion ?? '',
    kind: furnace.kind ?? '',
    name: furnace.metadata?.name ?? '',
    uid: furnace.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of an object in the Furnace's namespace, owned by it. */
export function ownedMeta(
  context: PlanContext,
  name: string,
  component: string,
  annotations?: Record<string, string>,
): V1ObjectMeta {
  return {
    name,
    namespace: context.names.namespace,
    labels: labelsOf(context, component),
    ...(annotations ? { annotations } : {}),
    ownerReferences: [ownerReference(context.furnace)],
  };
}

/** Metadata of a cluster-scoped object or one in another namespace: labelled, removed by the finalizer. */
export function labelledMeta(
  context: PlanContext,
  name: string,
  component: string,
  namespace?: string,
): V1ObjectMeta {
  return { name, ...(namespace ? { namespace } : {}), labels: labelsOf(context, component) };
}

export function object<T extends KubernetesObject>(
  apiVersion: string,
  kind: string,
  rest: Omit<T, 'apiVersion' | 'kind'>,
): T {
  return { apiVersion, kind, ...rest } as T;
}

/**
 * A NetworkPolicy in the Furnace's namespace that admits to a component's pods only what `ingress`
 * lists. Written as the API takes it (`from`); the generated model calls that field `_from`.
 */
export function ingressPolicy(
  context: PlanContext,
  name: string,
  component: string,
  ingress: object[],
): KubernetesObject {
  return object<KubernetesObject & { spec: unknown }>('networking.k8s.io/v1', 'NetworkPolicy', {
    metadata: ownedMeta(context, name, component),
    spec: {
      podSelector: { matchLabels: selectorOf(context, component) },
      policyTypes: ['Ingress'],
      ingress,
    },
  });
}
