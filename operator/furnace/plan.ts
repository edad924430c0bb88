// Pure: a Furnace (with the platform, the certificates and the opted-in namespaces) to every object that
// should exist for it, in the order they are applied. No I/O; operator/furnace/furnace-controller.ts
// applies the list and deletes the managed objects that are no longer in it.
import type { KubernetesObject } from '@kubernetes/client-node';
import { RESOURCES } from '../resources.ts';
import type { WatchedResource } from '../controller.ts';
import { planExposure, planIdentity, planNetworkPolicy } from './plan-access.ts';
import { planConfigMap } from './plan-config.ts';
import { planContext, type PlanInput } from './plan-input.ts';
import {
  planCatalog,
  planDeployment,
  planSecrets,
  planServiceCaConfigMap,
  planServices,
} from './plan-server.ts';
import { planServerCaConfigMaps, planWebhookConfiguration } from './plan-webhook.ts';

export type { PlanInput, Platform, PlannedCertificates } from './plan-input.ts';

/** The kinds a plan can hold: pruning looks for leftovers of exactly these. */
export const PLANNED_RESOURCES: readonly WatchedResource[] = [
  RESOURCES.ServiceAccount,
  RESOURCES.ClusterRole,
  RESOURCES.ClusterRoleBinding,
  RESOURCES.Secret,
  RESOURCES.ConfigMap,
  RESOURCES.PersistentVolumeClaim,
  RESOURCES.Service,
  RESOURCES.Deployment,
  RESOURCES.NetworkPolicy,
  RESOURCES.Route,
  RESOURCES.Ingress,
  RESOURCES.MutatingWebhookConfiguration,
];

/**
 * Everything, the webhook configuration last: it sends pods to the server, so it comes once the
 * server's Service, certificate and configuration exist (and it goes first on deletion).
 */
export function planFurnace(input: PlanInput): KubernetesObject[] {
  const context = planContext(input);
  const configMap = planConfigMap(context);
  return [
    ...planIdentity(context),
    ...planSecrets(context),
    ...planServiceCaConfigMap(context),
    configMap,
    planCatalog(context),
    ...planServices(context),
    planDeployment(context, configMap),
    planNetworkPolicy(context),
    ...planExposure(context),
    ...planServerCaConfigMaps(context),
    planWebhookConfiguration(context),
  ];
}
