// The key the server replicas share (`security.sharedKeyFile`, core/shared-key.ts): a Secret in the
// Furnace's namespace, made once with 32 random bytes and from then on kept as it is found, so that a
// reconcile never changes it and an admin's rotation (a new first line, docs/security.md) stands. Every
// server replica mounts it (sharedKeyVolume) and reads `security.sharedKeyFile` = SHARED_KEY_FILE, one
// replica too (its tokens then outlive a restart). The shared Leases are covered by the coordination Role
// of several replicas (plan-replicas.ts). Pure.
import type { V1Secret, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { MIN_KEY_BYTES, parseSharedKeyFile } from '../../core/shared-key.ts';
import type { FurnaceNames } from './furnace-names.ts';
import { object, ownedMeta, type PlanContext } from './plan-input.ts';

/** The Secret's one entry: the key file, base64 keys one per line, the first current. */
export const SHARED_KEY_ENTRY = 'keys';
export const SHARED_KEY_DIR = '/etc/furnace/shared-key';
/** What the server's `security.sharedKeyFile` names. */
export const SHARED_KEY_FILE = `${SHARED_KEY_DIR}/${SHARED_KEY_ENTRY}`;

export function sharedKeySecretName(names: FurnaceNames): string {
  return `${names.server}-shared-key`;
}

/** The key file to plan: the stored one when the server would accept it, else one new random key. */
export function decideSharedKey(stored: string | undefined, randomKey: () => Buffer): string {
  if (stored !== undefined) {
    try {
      parseSharedKeyFile(stored, SHARED_KEY_FILE);
      return stored;
    } catch {
      // Not a key file the server would start with: replaced, as a missing one is made.
    }
  }
  const key = randomKey();
  if (key.length < MIN_KEY_BYTES) throw new Error(`a shared key needs ${MIN_KEY_BYTES} random bytes`);
  return `${key.toString('base64')}\n`;
}

/** The Secret, when the reconcile decided its content (PlanInput.sharedKey). */
export function planSharedKey(context: PlanContext): V1Secret[] {
  if (context.sharedKey === undefined) return [];
  return [
    object<V1Secret>('v1', 'Secret', {
      metadata: ownedMeta(context, sharedKeySecretName(context.names), 'server'),
      type: 'Opaque',
      data: { [SHARED_KEY_ENTRY]: Buffer.from(context.sharedKey).toString('base64') },
    }),
  ];
}

/** The server container's mount of the key and the pod's volume, for the Deployment. */
export function sharedKeyVolume(names: FurnaceNames): { volume: V1Volume; mount: V1VolumeMount } {
  return {
    volume: { name: 'shared-key', secret: { secretName: sharedKeySecretName(names), defaultMode: 0o400 } },
    mount: { name: 'shared-key', mountPath: SHARED_KEY_DIR, readOnly: true },
  };
}

/** The server configuration's `security.sharedKeyFile`, when the key is planned. */
export function sharedKeyConfig(context: PlanContext): Record<string, unknown> {
  return context.sharedKey === undefined ? {} : { security: { sharedKeyFile: SHARED_KEY_FILE } };
}
