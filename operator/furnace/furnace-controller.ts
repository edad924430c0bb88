// The Furnace controller: finalizer, certificates, plan, apply, prune, readiness, status (docs/operator.md).
import type { KubernetesObject } from '@kubernetes/client-node';
import { ownerKeys, type Controller, type ControllerFactory, type OperatorContext } from '../controller.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../apply.ts';
import { RESOURCES, type ObjectKey } from '../resources.ts';
import { cleanUpFurnace, FURNACE_FINALIZER } from './furnace-deletion.ts';
import { furnaceNames } from './furnace-names.ts';
import { readFurnaceSettings } from './furnace-settings.ts';
import type { Furnace } from '../../core/crd/resources.ts';
import { convergeFurnace } from './furnace-converge.ts';

const MANAGED = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

export const createFurnaceController: ControllerFactory = (context: OperatorContext): Controller => {
  const settings = readFurnaceSettings(context.env);
  // Furnaces seen, so that changes of objects without an owner reference (namespaces, cluster-scoped
  // ones) can queue them all; there are few.
  const known = new Map<string, ObjectKey>();
  const everyFurnace = (): ObjectKey[] => [...known.values()];
  const owned = (object: KubernetesObject) => ownerKeys(object, RESOURCES.Furnace.kind);

  async function reconcile(key: ObjectKey, cached: Furnace | undefined) {
    const id = `${key.namespace}/${key.name}`;
    if (!cached) {
      known.delete(id);
      return undefined;
    }
    known.set(id, key);
    const names = furnaceNames(key.namespace, key.name);
    const uid = cached.metadata?.uid ?? '';
    const finalizers = cached.metadata?.finalizers ?? [];
    if (cached.metadata?.deletionTimestamp) {
      if (!finalizers.includes(FURNACE_FINALIZER)) return undefined;
      await cleanUpFurnace(context.applier, context.log, names, uid);
      await context.applier.setFinalizers(
        RESOURCES.Furnace,
        key,
        finalizers.filter((f) => f !== FURNACE_FINALIZER),
        cached.metadata.resourceVersion,
      );
      return undefined;
    }
    if (!finalizers.includes(FURNACE_FINALIZER)) {
      await context.applier.setFinalizers(
        RESOURCES.Furnace,
        key,
        [...finalizers, FURNACE_FINALIZER],
        cached.metadata?.resourceVersion,
      );
    }
    return convergeFurnace(context, settings, cached);
  }

  return {
    name: 'furnace',
    primary: RESOURCES.Furnace,
    secondaries: [
      { resource: { ...RESOURCES.Namespace }, keysOf: everyFurnace },
      {
        resource: { ...RESOURCES.MutatingWebhookConfiguration, labelSelector: MANAGED },
        keysOf: everyFurnace,
      },
      {
        resource: { ...RESOURCES.ConfigMap, labelSelector: MANAGED },
        keysOf: (o) => [...owned(o), ...(owned(o).length ? [] : everyFurnace())],
      },
      { resource: { ...RESOURCES.Secret, labelSelector: MANAGED }, keysOf: owned },
      { resource: { ...RESOURCES.Deployment, labelSelector: MANAGED }, keysOf: owned },
      { resource: { ...RESOURCES.Service, labelSelector: MANAGED }, keysOf: owned },
    ],
    // The informer holds the JSON the API server sent: core/crd/resources.ts's Furnace describes exactly that.
    reconcile: (key, object) => reconcile(key, object as unknown as Furnace | undefined),
  };
};
