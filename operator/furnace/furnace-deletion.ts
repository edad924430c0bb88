// What the finalizer does when a Furnace is deleted: the MutatingWebhookConfiguration first, so that no
// pod creation waits on (or is injected for) a server that is going away, then everything else the
// Furnace made (cluster-scoped objects and the CA ConfigMaps in other namespaces cannot be reached by
// owner references), then the finalizer itself.
import type { OperatorLog } from '../controller.ts';
import type { Applier } from '../apply.ts';
import { RESOURCES } from '../resources.ts';
import type { FurnaceNames } from './furnace-names.ts';
import { plannedResources } from './plan.ts';

export const FURNACE_FINALIZER = 'furnace.hyperfoil.io/cleanup';

/**
 * Deletes the webhook configuration (its name is fixed: one Furnace per cluster) and checks that it is
 * gone; throws (the queue retries) if not.
 */
async function deleteWebhookConfiguration(applier: Applier, names: FurnaceNames): Promise<string[]> {
  const resource = RESOURCES.MutatingWebhookConfiguration;
  const key = { namespace: '', name: names.webhookConfiguration };
  const deleted = (await applier.delete(resource, key)) ? [`MutatingWebhookConfiguration/${key.name}`] : [];
  if (await applier.get(resource, key))
    throw new Error(`MutatingWebhookConfiguration ${key.name} is still there after its deletion`);
  return deleted;
}

export async function cleanUpFurnace(
  applier: Applier,
  log: OperatorLog,
  names: FurnaceNames,
  ownerUid: string,
): Promise<void> {
  const webhooks = await deleteWebhookConfiguration(applier, names);
  const rest = await applier.prune(plannedResources(names.namespace), ownerUid, []);
  log.info(
    { namespace: names.namespace, furnace: names.server, deleted: [...webhooks, ...rest] },
    'furnace cleaned up',
  );
}
