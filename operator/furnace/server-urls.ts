// Where users reach the server (status.url) and where the operator checks that it answers.
import type { KubernetesObject } from '@kubernetes/client-node';
import { SERVER_PORT } from '../../core/contract/names.ts';
import { recorderUrl, userServiceUrl, type FurnaceNames } from './furnace-names.ts';
import type { Furnace } from '../../core/crd/resources.ts';
import type { Platform } from './plan-input.ts';

export interface ServerUrls {
  /** status.url: the Route's or Ingress's host when there is one, else the user Service. */
  user: string;
  /** GET /readyz goes here: the user listener, or the recorder listener when the user one is loopback-only. */
  readiness: string;
}

type Route = KubernetesObject & { spec?: { host?: string }; status?: { ingress?: { host?: string }[] } };

function routeHost(applied: readonly KubernetesObject[]): string | undefined {
  const route = applied.find((o): o is Route => o.kind === 'Route');
  return route?.status?.ingress?.[0]?.host ?? route?.spec?.host;
}

export function serverUrls(
  furnace: Furnace,
  platform: Platform,
  names: FurnaceNames,
  applied: readonly KubernetesObject[],
): ServerUrls {
  // On OpenShift one Service carries all three listeners (plan-server.ts).
  const inCluster =
    platform === 'openshift'
      ? `https://${names.server}.${names.namespace}.svc:${SERVER_PORT}`
      : userServiceUrl(names);
  const external =
    routeHost(applied) ?? (furnace.spec?.ingress?.enabled ? furnace.spec.ingress.host : undefined);
  return {
    user: external ? `https://${external}` : inCluster,
    readiness: furnace.spec?.auth?.mode === 'proxy' ? recorderUrl(names) : inCluster,
  };
}
