// What the finalizer does when a Furnace is deleted: the MutatingWebhookConfiguration first, so that no
// pod creation waits on (or is injected for) a server that is going away, then everything else the
// Furnace made (cluster-scoped objects and the CA ConfigMaps in other namespaces cannot be reached by
// owner references), then the finalizer itself.
import type { OperatorLog } from '../controller.ts';
import type { Applier } from '../apply.ts';
import { RESOURCES } from '../resources.ts';
import { ownedSelector } from '../apply.ts';
import type { FurnaceNames } from './furnace-names.ts';
import { PLANNED_RESOURCES } from './plan.ts';

export const FURNACE_FINALIZER = 'furnace.hyperfoil.io/cleanup';

/** Deletes the webhook configuration and checks that it is gone; throws (the queue retries) if not. */
async function deleteWebhookConfigurations(
  applier: Applier,
  names: FurnaceNames,
  ownerUid: string,
): Promise<string[]> {
  const resource = RESOURCES.MutatingWebhookConfiguration;
  const labelled = await applier.list(resource, { labelSelector: ownedSelector(ownerUid) });
  const targets = new Set([names.webhookConfiguration, ...labelled.map((c) => c.metadata?.name ?? '')]);
  targets.delete('');
  const deleted: string[] = [];
  for (const name of targets) {
    if (await applier.delete(resource, { namespace: '', name }))
      deleted.push(`MutatingWebhookConfiguration/${name}`);
  }
  for (const name of targets) {
    if (await applier.get(resource, { namespace: '', name }))
      throw new Error(`MutatingWebhookConfiguration ${name} is still there after its deletion`);
  }
  return deleted;
}

export async function cleanUpFurnace(
  applier: Applier,
  log: OperatorLog,
  names: FurnaceNames,
  ownerUid: string,
): Promise<void> {
  const webhooks = await deleteWebhookConfigurations(applier, names, ownerUid);
  const rest = await applier.prune(PLANNED_RESOURCES, ownerUid, []);
  log.info(
    { namespace: names.namespace, furnace: names.server, deleted: [...webhooks, ...rest] },
    'furnace cleaned up',
  );
}
