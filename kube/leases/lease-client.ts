// Leases of one namespace through the API server (kube/kube-request.ts): read, create if absent, replace
// on a resourceVersion (optimistic concurrency), delete on one, list by label. A conflict is an answer,
// not an error: a 409 on create means someone holds the name, a 409 (or 404) on a conditional write or
// delete means someone changed the Lease since it was read. Anything else throws KubeRequestError.
import { KubeRequestError, type KubeRequest } from '../kube-request.ts';
import { leaseObjectOf, leaseRecordOf, type LeaseDraft, type LeaseRecord } from './lease-record.ts';

export interface LeaseClient {
  readonly namespace: string;
  get(name: string): Promise<LeaseRecord | undefined>;
  /** The new record, or 'conflict' when a Lease of that name exists. */
  create(draft: LeaseDraft): Promise<LeaseRecord | 'conflict'>;
  /** Writes `draft` over the version it names (draft.resourceVersion); 'conflict' when that is not the current one. */
  replace(draft: LeaseDraft & { resourceVersion: string }): Promise<LeaseRecord | 'conflict'>;
  /** Deletes the Lease if it is still at `resourceVersion` (any version when omitted); false when it was not. */
  remove(name: string, resourceVersion?: string): Promise<boolean>;
  list(labelSelector: string): Promise<LeaseRecord[]>;
}

/** The collection path of the Leases of `namespace` (a watch of them starts there too). */
export function leasesPath(namespace: string): string {
  return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
}

export function createLeaseClient(request: KubeRequest, namespace: string): LeaseClient {
  const collection = leasesPath(namespace);
  const item = (name: string) => `${collection}/${encodeURIComponent(name)}`;
  return {
    namespace,
    async get(name) {
      const answer = await request({ method: 'GET', path: item(name) });
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw new KubeRequestError(`read Lease ${namespace}/${name}`, answer);
      return leaseRecordOf(answer.body);
    },
    async create(draft) {
      const body = leaseObjectOf(namespace, { ...draft, resourceVersion: undefined });
      const answer = await request({ method: 'POST', path: collection, body });
      if (answer.status === 409) return 'conflict';
      if (answer.status !== 201 && answer.status !== 200)
        throw new KubeRequestError(`create Lease ${namespace}/${draft.name}`, answer);
      return leaseRecordOf(answer.body);
    },
    async replace(draft) {
      const answer = await request({
        method: 'PUT',
        path: item(draft.name),
        body: leaseObjectOf(namespace, draft),
      });
      if (answer.status === 409 || answer.status === 404) return 'conflict';
      // 201: the Lease was deleted meanwhile and the API server created it from this write (Leases allow
      // create on update); what was asked is written all the same.
      if (answer.status !== 200 && answer.status !== 201)
        throw new KubeRequestError(`update Lease ${namespace}/${draft.name}`, answer);
      return leaseRecordOf(answer.body);
    },
    async remove(name, resourceVersion) {
      const body = resourceVersion
        ? { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion } }
        : undefined;
      const answer = await request({ method: 'DELETE', path: item(name), ...(body ? { body } : {}) });
      if (answer.status === 409 || answer.status === 404) return false;
      if (answer.status !== 200 && answer.status !== 202)
        throw new KubeRequestError(`delete Lease ${namespace}/${name}`, answer);
      return true;
    },
    async list(labelSelector) {
      const answer = await request({ method: 'GET', path: collection, query: { labelSelector } });
      if (answer.status !== 200) throw new KubeRequestError(`list Leases in ${namespace}`, answer);
      const items = (answer.body as { items?: unknown[] } | undefined)?.items ?? [];
      return items.map(leaseRecordOf);
    },
  };
}
