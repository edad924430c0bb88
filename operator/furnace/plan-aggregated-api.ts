// The aggregated API (`kubectl furnace`): the APIService that sends its group to the user listener, from
// the same core function as the static manifests (core/contract/aggregated-api.ts), and the ConfigMap of the API
// server's request-header CA that the server mounts to know which requests the front proxy vouches for.
// Planned only when servesAggregatedApi says so (plan-config.ts).
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { apiServiceManifest } from '../../core/contract/aggregated-api.ts';
import { SERVER_PORT } from '../../core/contract/names.ts';
import { servesAggregatedApi } from './plan-config.ts';
import { labelledMeta, object, ownedMeta, type PlanContext } from './plan-input.ts';
import { INJECT_CABUNDLE_ANNOTATION } from './plan-server.ts';

/** Key of the request-header CA in the planned ConfigMap (SERVER_PATHS.requestHeaderCaFile names it). */
export const REQUEST_HEADER_CA_KEY = 'ca.crt';

export function planRequestHeaderConfigMap(context: PlanContext): V1ConfigMap[] {
  if (!servesAggregatedApi(context) || !context.requestHeader) return [];
  return [
    object<V1ConfigMap>('v1', 'ConfigMap', {
      metadata: ownedMeta(context, context.names.requestHeader, 'aggregated-api'),
      data: { [REQUEST_HEADER_CA_KEY]: context.requestHeader.clientCaPem },
    }),
  ];
}

/**
 * Last but one, beside the webhook configuration: it sends requests to the server. On OpenShift one
 * Service carries the user listener and the service CA certifies it (and keeps caBundle current).
 */
export function planApiService(context: PlanContext): KubernetesObject[] {
  if (!servesAggregatedApi(context)) return [];
  const { names } = context;
  const openshift = context.platform === 'openshift';
  const manifest = apiServiceManifest({
    serviceNamespace: names.namespace,
    serviceName: openshift ? names.server : names.userService,
    servicePort: SERVER_PORT,
    caBundlePem: context.certificates.bundlePem,
  }) as KubernetesObject;
  const metadata = labelledMeta(context, manifest.metadata?.name ?? '', 'aggregated-api');
  return [
    {
      ...manifest,
      metadata: openshift ? { ...metadata, annotations: { [INJECT_CABUNDLE_ANNOTATION]: 'true' } } : metadata,
    },
  ];
}
