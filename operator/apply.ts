// The operator's one way to write to the cluster: server-side apply (field manager furnace-operator,
// forced: the operator owns the fields it plans), deletion of managed objects that are no longer planned,
// status and finalizer patches. Every object the operator makes carries MANAGED_BY_LABEL and OWNER_LABEL,
// so objects that owner references cannot reach (cluster-scoped ones, ConfigMaps in other namespaces)
// are found again by label.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { formatKey, keyOf, type ObjectKey, type WatchedResource } from './resources.ts';
import { createKubeRequest, KubeRequestError, type KubeRequest } from '../kube/kube-request.ts';
import { collectionPath, objectPath, resourceOf } from './resources.ts';

export const FIELD_MANAGER = 'furnace-operator';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'furnace-operator';
/** The UID of the Furnace (or other owner) an object was made for. */
export const OWNER_LABEL = 'furnace.hyperfoil.io/owner-uid';

export const APPLY_PATCH = 'application/apply-patch+yaml';
const MERGE_PATCH = 'application/merge-patch+json';

export interface ListOptions {
  /** One namespace; every namespace when undefined. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface Applier {
  /** Server-side apply of the whole object; answers the object as stored. */
  apply<T extends KubernetesObject>(object: T): Promise<T>;
  get<T extends KubernetesObject>(resource: WatchedResource, key: ObjectKey): Promise<T | undefined>;
  list<T extends KubernetesObject>(resource: WatchedResource, options?: ListOptions): Promise<T[]>;
  /** False when it was already gone. */
  delete(resource: WatchedResource, key: ObjectKey): Promise<boolean>;
  /**
   * Deletes every object of `resources` (each in its own namespace and selection, if it has them) that
   * carries the managed-by label and `ownerUid`, but is not in `keep`; answers what it deleted.
   */
  prune(
    resources: readonly WatchedResource[],
    ownerUid: string,
    keep: readonly KubernetesObject[],
  ): Promise<string[]>;
  /** Merge patch of the status subresource. */
  patchStatus(resource: WatchedResource, key: ObjectKey, status: object): Promise<void>;
  /** Sets metadata.finalizers; a 409 when the object changed since `resourceVersion`. */
  setFinalizers(
    resource: WatchedResource,
    key: ObjectKey,
    finalizers: string[],
    resourceVersion: string | undefined,
  ): Promise<void>;
}

/** The label selector of the objects made for one owner. */
export function ownedSelector(ownerUid: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${OWNER_LABEL}=${ownerUid}`;
}

function identity(object: KubernetesObject): string {
  return `${object.kind ?? ''}/${formatKey(keyOf(object))}`;
}

export function createApplier(
  kubeConfig: KubeConfig,
  request: KubeRequest = createKubeRequest(kubeConfig),
): Applier {
  return new KubeApplier(request);
}

/** The Applier over raw requests to the API server. */
class KubeApplier implements Applier {
  readonly #request: KubeRequest;

  constructor(request: KubeRequest) {
    this.#request = request;
  }

  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    const answer = await this.#request({
      method: 'PATCH',
      path: objectPath(resourceOf(object), keyOf(object)),
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
      body: object,
      contentType: APPLY_PATCH,
    });
    if (answer.status >= 300) throw new KubeRequestError(`apply ${identity(object)}`, answer);
    return answer.body as T;
  }

  async get<T extends KubernetesObject>(resource: WatchedResource, key: ObjectKey): Promise<T | undefined> {
    const answer = await this.#request({ method: 'GET', path: objectPath(resource, key) });
    if (answer.status === 404) return undefined;
    if (answer.status >= 300) throw new KubeRequestError(`get ${resource.kind}/${formatKey(key)}`, answer);
    return answer.body as T;
  }

  async list<T extends KubernetesObject>(resource: WatchedResource, options: ListOptions = {}): Promise<T[]> {
    const answer = await this.#request({
      method: 'GET',
      path: collectionPath(resource, options.namespace),
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
    });
    // A kind the cluster does not serve (Route off OpenShift) has nothing to list.
    if (answer.status === 404) return [];
    if (answer.status >= 300) throw new KubeRequestError(`list ${resource.plural}`, answer);
    return ((answer.body as { items?: T[] }).items ?? []).map((item) => ({
      ...item,
      apiVersion: resource.apiVersion,
      kind: resource.kind,
    }));
  }

  async delete(resource: WatchedResource, key: ObjectKey): Promise<boolean> {
    const answer = await this.#request({
      method: 'DELETE',
      path: objectPath(resource, key),
      body: { propagationPolicy: 'Background' },
    });
    if (answer.status === 404) return false;
    if (answer.status >= 300) throw new KubeRequestError(`delete ${resource.kind}/${formatKey(key)}`, answer);
    return true;
  }

  async prune(
    resources: readonly WatchedResource[],
    ownerUid: string,
    keep: readonly KubernetesObject[],
  ): Promise<string[]> {
    const kept = new Set(keep.map(identity));
    const deleted: string[] = [];
    for (const resource of resources) {
      const { namespace, fieldSelector } = resource;
      const labelSelector = ownedSelector(ownerUid);
      for (const object of await this.list(resource, { namespace, labelSelector, fieldSelector })) {
        if (kept.has(identity(object))) continue;
        if (await this.delete(resource, keyOf(object))) deleted.push(identity(object));
      }
    }
    return deleted;
  }

  async patchStatus(resource: WatchedResource, key: ObjectKey, status: object): Promise<void> {
    const answer = await this.#request({
      method: 'PATCH',
      path: `${objectPath(resource, key)}/status`,
      body: { status },
      contentType: MERGE_PATCH,
    });
    if (answer.status >= 300)
      throw new KubeRequestError(`status of ${resource.kind}/${formatKey(key)}`, answer);
  }

  async setFinalizers(
    resource: WatchedResource,
    key: ObjectKey,
    finalizers: string[],
    resourceVersion: string | undefined,
  ): Promise<void> {
    const answer = await this.#request({
      method: 'PATCH',
      path: objectPath(resource, key),
      body: { metadata: { finalizers, ...(resourceVersion ? { resourceVersion } : {}) } },
      contentType: MERGE_PATCH,
    });
    if (answer.status === 404) return;
    if (answer.status >= 300)
      throw new KubeRequestError(`finalizers of ${resource.kind}/${formatKey(key)}`, answer);
  }
}
