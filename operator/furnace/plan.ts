// Pure: a Furnace (with the platform, the certificates and the opted-in namespaces) to every object that
// should exist for it, in the order they are applied. No I/O; operator/furnace/furnace-controller.ts
// applies the list and deletes the managed objects that are no longer in it.
import type { KubernetesObject } from '@kubernetes/client-node';
import { byName, RESOURCES } from '../resources.ts';
import type { WatchedResource } from '../resources.ts';
import { CLUSTER_OBJECT_NAMES } from './furnace-names.ts';
import { planExposure, planIdentity, planNetworkPolicy } from './plan-access.ts';
import { planAgent } from './plan-agent.ts';
import { planApiService, planRequestHeaderConfigMap } from './plan-aggregated-api.ts';
import { planConfigMap } from './plan-config.ts';
import { planContext, type PlanInput } from './plan-input.ts';
import {
  planCatalog,
  planDeployment,
  planSecrets,
  planServiceCaConfigMap,
  planServices,
} from './plan-server.ts';
import { planRecordingPolicy, planServerCaConfigMaps, planWebhookConfiguration } from './plan-webhook.ts';
import { planSharedKey } from './plan-shared-key.ts';
import { isReplicated, planDisruptionBudget, planLeaseRole } from './plan-replicas.ts';

export type { PlanInput, Platform, PlannedCertificates, RequestHeaderSource } from './plan-input.ts';

/** The namespaced kinds a plan holds in the Furnace's namespace. */
const NAMESPACED_KINDS: readonly WatchedResource[] = [
  RESOURCES.ServiceAccount,
  RESOURCES.Secret,
  RESOURCES.ConfigMap,
  RESOURCES.PersistentVolumeClaim,
  RESOURCES.Service,
  RESOURCES.Deployment,
  RESOURCES.DaemonSet,
  RESOURCES.NetworkPolicy,
  RESOURCES.PodDisruptionBudget,
  RESOURCES.Role,
  RESOURCES.RoleBinding,
  RESOURCES.Route,
  RESOURCES.Ingress,
];

/**
 * Where a plan's objects can be, as the operator may look: the namespaced kinds in the Furnace's
 * namespace, the CA ConfigMaps of opted-in namespaces and the cluster-scoped objects by name (its
 * ClusterRole names them in resourceNames). Pruning looks for leftovers in exactly these.
 */
export function plannedResources(namespace: string): WatchedResource[] {
  const named = (resource: WatchedResource, name: string) => ({ ...resource, fieldSelector: byName(name) });
  return [
    ...NAMESPACED_KINDS.map((resource) => ({ ...resource, namespace })),
    named(RESOURCES.ConfigMap, CLUSTER_OBJECT_NAMES.serverCaConfigMap),
    named(RESOURCES.ClusterRole, CLUSTER_OBJECT_NAMES.serverClusterRole),
    named(RESOURCES.ClusterRoleBinding, CLUSTER_OBJECT_NAMES.serverClusterRole),
    named(RESOURCES.MutatingWebhookConfiguration, CLUSTER_OBJECT_NAMES.webhookConfiguration),
    named(RESOURCES.ValidatingAdmissionPolicy, CLUSTER_OBJECT_NAMES.recordingPolicy),
    named(RESOURCES.ValidatingAdmissionPolicyBinding, CLUSTER_OBJECT_NAMES.recordingPolicy),
    // Never planned any more: looked for so that an upgraded install loses the webhook the policy replaced.
    named(RESOURCES.ValidatingWebhookConfiguration, CLUSTER_OBJECT_NAMES.legacyRecordingWebhookConfiguration),
    named(RESOURCES.APIService, CLUSTER_OBJECT_NAMES.apiService),
  ];
}

/**
 * Everything, the APIService and the webhook configuration last: they send requests to the server, so
 * they come once the server's Service, certificate and configuration exist (and the webhook configuration
 * goes first on deletion). The agents come after the server they register with. The admission policy of
 * continuous Recordings needs nothing of the server (the API server evaluates it): policy, then binding.
 */
export function planFurnace(input: PlanInput): KubernetesObject[] {
  const context = planContext(input);
  const configMap = planConfigMap(context);
  return [
    ...planIdentity(context),
    ...planLeaseRole(context),
    ...planSecrets(context),
    ...planSharedKey(context),
    ...planServiceCaConfigMap(context),
    configMap,
    ...planRequestHeaderConfigMap(context),
    // Several replicas keep the catalog in the bucket; the volume is one replica's.
    ...(isReplicated(context) ? [] : [planCatalog(context)]),
    ...planServices(context),
    planDeployment(context, configMap),
    ...planDisruptionBudget(context),
    planNetworkPolicy(context),
    ...planAgent(context),
    ...planExposure(context),
    ...planServerCaConfigMaps(context),
    ...planApiService(context),
    planWebhookConfiguration(context),
    ...planRecordingPolicy(context),
  ];
}
