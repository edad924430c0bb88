// The shared records' I/O: create, replace (only over the version last seen: a conflict is another
// replica's write), read and delete Leases in the server's namespace through the one Lease client
// (kube/leases/lease-client.ts, plain JSON), and a watch of one kind of record. The watch stays on
// client-node's Watch inside a ListWatch (kube/informer-supervisor.ts restarts it with backoff): it holds
// the records every replica serves from; its list is a plain request too, so no Lease goes through
// client-node's model (de)serializer.
import type { KubernetesListObject, KubernetesObject, Watch } from '@kubernetes/client-node';
import { superviseInformer, type SupervisorLog } from '../../kube/informer-supervisor.ts';
import { listInPages } from '../../kube/list-pages.ts';
import { KubeRequestError, type KubeRequest } from '../../kube/kube-request.ts';
import { leasesPath, type LeaseClient } from '../../kube/leases/lease-client.ts';
import { leaseRecordOf, type LeaseRecord } from '../../kube/leases/lease-record.ts';
import {
  leaseDraftOf,
  SHARED_KIND_LABEL,
  sharedRecordOf,
  type RecordKind,
  type SharedRecord,
} from './lease-records.ts';

/** Another replica wrote the Lease since this one read it (409), or it is gone (404 on a replace). */
export class LeaseConflict extends Error {
  constructor(name: string) {
    super(`Lease ${name} changed or went away since it was read`);
    this.name = 'LeaseConflict';
  }
}

export interface LeaseStore {
  readonly namespace: string;
  create(record: SharedRecord): Promise<SharedRecord>;
  /** Replaces the Lease at `record.resourceVersion`. */
  replace(record: SharedRecord): Promise<SharedRecord>;
  read(name: string): Promise<SharedRecord | undefined>;
  /** Deletes it (at `resourceVersion` when given); a Lease that is gone or changed is left alone. */
  remove(name: string, resourceVersion?: string): Promise<void>;
  /** Writes (create, replace, delete) this store sent: the benchmark's and the metrics' count. */
  writes(): number;
}

/** The record the API server answered for a write; a conflict is LeaseConflict. */
function stored(name: string, written: LeaseRecord | 'conflict'): SharedRecord {
  if (written === 'conflict') throw new LeaseConflict(name);
  const record = sharedRecordOf(written);
  if (!record) throw new Error(`the API server answered Lease ${name} without its record`);
  return record;
}

export function createLeaseStore(leases: LeaseClient): LeaseStore {
  let writes = 0;
  return {
    namespace: leases.namespace,
    async create(record) {
      writes += 1;
      return stored(record.name, await leases.create(leaseDraftOf(record)));
    },
    async replace(record) {
      writes += 1;
      const draft = { ...leaseDraftOf(record), resourceVersion: record.resourceVersion ?? '' };
      return stored(record.name, await leases.replace(draft));
    },
    async read(name) {
      const lease = await leases.get(name);
      return lease && sharedRecordOf(lease);
    },
    async remove(name, resourceVersion) {
      writes += 1;
      await leases.remove(name, resourceVersion);
    },
    writes: () => writes,
  };
}

export interface LeaseWatchDeps {
  request: KubeRequest;
  /** A new Watch for each (re)start, whose object events carry what `slim` keeps (kube/slim-watch.ts). */
  makeWatch: (slim: (object: unknown) => unknown) => Watch;
  namespace: string;
  kinds: readonly RecordKind[];
  /** A record was added or changed. */
  onRecord: (record: SharedRecord) => void;
  /** A record's Lease was deleted. */
  onGone: (record: SharedRecord) => void;
  log: SupervisorLog;
  /** Leases per page of the list (LIST_PAGE_SIZE). */
  pageSize?: number;
}

export interface LeaseWatch {
  isSynced(): boolean;
  /** Every record the watch holds. */
  list(): SharedRecord[];
  stop(): Promise<void>;
}

/** Leases listed per page, so that a replica's first list never holds thousands of them in full at once. */
const LIST_PAGE_SIZE = 500;

/**
 * What the watch's cache keeps of a Lease: its name and version for the informer's bookkeeping, and the
 * record it holds (the very object the handlers and shared-registrations.ts keep). A Lease in full, with
 * its managedFields, took about 800 B of heap beside the record (429 B) that was parsed from it again.
 */
interface RecordObject extends KubernetesObject {
  metadata: { name: string; resourceVersion: string };
  record?: SharedRecord;
}

function recordObjectOf(lease: unknown): RecordObject {
  const fields = leaseRecordOf(lease);
  const record = sharedRecordOf(fields);
  return {
    metadata: { name: fields.name, resourceVersion: fields.resourceVersion },
    ...(record ? { record } : {}),
  };
}

/** Lists the Leases of `labelSelector` page by page, keeping their records. */
function listRecordObjects(
  deps: LeaseWatchDeps,
  labelSelector: string,
): Promise<KubernetesListObject<RecordObject>> {
  const path = leasesPath(deps.namespace);
  const { pageSize = LIST_PAGE_SIZE } = deps;
  const limit = String(pageSize);
  return listInPages(async (token) => {
    const answer = await deps.request({
      method: 'GET',
      path,
      query: { labelSelector, limit, continue: token },
    });
    if (answer.status !== 200) throw new KubeRequestError(`list shared Leases in ${deps.namespace}`, answer);
    // The API server's own JSON: `continue`, which client-node's model calls `_continue`.
    const page = answer.body as {
      items: unknown[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    return { items: page.items, ...page.metadata };
  }, recordObjectOf);
}

/** Watches the shared Leases of `kinds` in the namespace; a Lease that is no complete record is ignored. */
export function watchLeases(deps: LeaseWatchDeps): LeaseWatch {
  const labelSelector = `${SHARED_KIND_LABEL} in (${deps.kinds.join(',')})`;
  const each = (handle: (record: SharedRecord) => void) => (object: RecordObject) => {
    if (object.record) handle(object.record);
  };
  const informer = superviseInformer<RecordObject>({
    path: leasesPath(deps.namespace),
    name: 'shared records watch',
    logFields: { kinds: deps.kinds },
    makeWatch: () => deps.makeWatch(recordObjectOf),
    list: () => listRecordObjects(deps, labelSelector),
    labelSelector,
    onAdd: each(deps.onRecord),
    onUpdate: each(deps.onRecord),
    onDelete: each(deps.onGone),
    log: deps.log,
  });
  return {
    isSynced: () => informer.isSynced(),
    list: () => informer.list().flatMap((object) => object.record ?? []),
    stop: () => informer.stop(),
  };
}
