// The Furnace controller: acceptance (one Furnace per cluster), finalizer, certificates, plan, apply,
// prune, readiness, status (docs/operator.md).
import type { Controller, ControllerFactory, OperatorContext } from '../controller.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../apply.ts';
import { byName, RESOURCES, type ObjectKey, type WatchedResource } from '../resources.ts';
import { decideAcceptance, isClusterFurnace } from './acceptance.ts';
import { cleanUpFurnace, FURNACE_FINALIZER } from './furnace-deletion.ts';
import { CLUSTER_OBJECT_NAMES, FURNACE_NAME, furnaceNames } from './furnace-names.ts';
import { readFurnaceSettings } from './furnace-settings.ts';
import { refusedStatus, sameStatus } from './furnace-status.ts';
import type { Furnace } from '../../core/crd/resources.ts';
import { convergeFurnace } from './furnace-converge.ts';

const MANAGED = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

/**
 * What the Furnace controller watches besides Furnaces, as the operator may watch: its namespaced
 * objects in its own namespace, the CA ConfigMaps and cluster-scoped objects by name, namespaces
 * (opting in and out) everywhere. A change of any of them queues the one Furnace.
 */
function secondaryResources(namespace: string): WatchedResource[] {
  const own = (resource: WatchedResource) => ({ ...resource, namespace, labelSelector: MANAGED });
  const named = (resource: WatchedResource, name: string) => ({
    ...resource,
    labelSelector: MANAGED,
    fieldSelector: byName(name),
  });
  return [
    { ...RESOURCES.Namespace },
    named(RESOURCES.MutatingWebhookConfiguration, CLUSTER_OBJECT_NAMES.webhookConfiguration),
    named(RESOURCES.ValidatingAdmissionPolicy, CLUSTER_OBJECT_NAMES.recordingPolicy),
    named(RESOURCES.ValidatingAdmissionPolicyBinding, CLUSTER_OBJECT_NAMES.recordingPolicy),
    named(RESOURCES.ConfigMap, CLUSTER_OBJECT_NAMES.serverCaConfigMap),
    own(RESOURCES.ConfigMap),
    own(RESOURCES.Secret),
    own(RESOURCES.Deployment),
    own(RESOURCES.Service),
  ];
}

export const createFurnaceController: ControllerFactory = (context: OperatorContext): Controller => {
  const settings = readFurnaceSettings(context.env);
  const scope = { namespace: context.namespace, allowImageOverrides: settings.allowImageOverrides };
  const theOne: ObjectKey = { namespace: context.namespace, name: FURNACE_NAME };

  /** A Furnace the operator does not act on: a condition saying why, and nothing else. */
  async function refuse(key: ObjectKey, cached: Furnace, refusal: { reason: string; message: string }) {
    const generation = cached.metadata?.generation ?? 0;
    const status = refusedStatus(cached.status, { generation, ...refusal }, new Date(context.now()));
    if (!sameStatus(cached.status, status)) await context.applier.patchStatus(RESOURCES.Furnace, key, status);
    return undefined;
  }

  /** The finalizer's work: clean up, then let the Furnace go. */
  async function release(key: ObjectKey, cached: Furnace, finalizers: string[]) {
    if (!finalizers.includes(FURNACE_FINALIZER)) return undefined;
    const names = furnaceNames(key.namespace, key.name);
    await cleanUpFurnace(context.applier, context.log, names, cached.metadata?.uid ?? '');
    const rest = finalizers.filter((f) => f !== FURNACE_FINALIZER);
    await context.applier.setFinalizers(RESOURCES.Furnace, key, rest, cached.metadata?.resourceVersion);
    return undefined;
  }

  async function reconcile(key: ObjectKey, cached: Furnace | undefined) {
    if (!cached) return undefined;
    const acceptance = decideAcceptance(cached, scope);
    // Never touch another Furnace's finalizers or objects: it may be deleted as it is.
    if (!isClusterFurnace(key, context.namespace)) {
      if (acceptance.accepted || cached.metadata?.deletionTimestamp) return undefined;
      return refuse(key, cached, acceptance);
    }
    const finalizers = cached.metadata?.finalizers ?? [];
    if (cached.metadata?.deletionTimestamp) return release(key, cached, finalizers);
    if (!finalizers.includes(FURNACE_FINALIZER)) {
      const resourceVersion = cached.metadata?.resourceVersion;
      await context.applier.setFinalizers(
        RESOURCES.Furnace,
        key,
        [...finalizers, FURNACE_FINALIZER],
        resourceVersion,
      );
    }
    if (!acceptance.accepted) return refuse(key, cached, acceptance);
    return convergeFurnace(context, settings, cached);
  }

  return {
    name: 'furnace',
    // Every Furnace, so that each one the operator does not act on hears why.
    primary: RESOURCES.Furnace,
    secondaries: secondaryResources(context.namespace).map((resource) => ({
      resource,
      keysOf: () => [theOne],
    })),
    // The informer holds the JSON the API server sent: core/crd/resources.ts's Furnace describes exactly that.
    reconcile: (key, object) => reconcile(key, object as unknown as Furnace | undefined),
    // Accepted and Ready False with the reason (InvalidSpec) until the Furnace changes.
    reportTerminal: async (key, object, error) => {
      if (!isClusterFurnace(key, context.namespace)) return;
      await refuse(key, object as unknown as Furnace, { reason: error.reason, message: error.message });
    },
  };
};
