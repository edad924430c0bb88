// Whose recording a catalog id is. The id comes from the pod's sidecar, which the pod's author may control,
// while the operator may read and delete recordings in every namespace: so the operator uses an id only once
// the server's catalog says it is a recording of that very pod (the server takes the namespace and pod of an
// entry from the uploader's registration, never from what a sidecar says). Pure.
import type { CatalogEntry } from '../../core/contract/recording.ts';

/** Why `entry` may not be used for pod `namespace/pod`; undefined when it is that pod's. */
export function foreignEntry(entry: CatalogEntry, namespace: string, pod: string): string | undefined {
  if (entry.namespace === namespace && entry.pod === pod) return undefined;
  return `recording ${entry.id} in the server's catalog is not a recording of pod ${namespace}/${pod}: its sidecar named another pod's recording`;
}
