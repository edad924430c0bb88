// The shared records' I/O: create, replace (only over the version last seen: a conflict is another
// replica's write), read and delete Leases in the server's namespace, and a watch of one kind of record
// (kube/informer-supervisor.ts restarts it with backoff). Thin over @kubernetes/client-node.
import { CoordinationV1Api, Watch, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { superviseInformer, type SupervisorLog } from '../../kube/informer-supervisor.ts';
import { leaseOf, recordOf, SHARED_KIND_LABEL, type LeaseRecord, type RecordKind } from './lease-records.ts';

/** Another replica wrote the Lease since this one read it (409), or it is gone (404 on a replace). */
export class LeaseConflict extends Error {
  constructor(name: string) {
    super(`Lease ${name} changed or went away since it was read`);
    this.name = 'LeaseConflict';
  }
}

export interface LeaseStore {
  readonly namespace: string;
  create(record: LeaseRecord): Promise<LeaseRecord>;
  /** Replaces the Lease at `record.resourceVersion`. */
  replace(record: LeaseRecord): Promise<LeaseRecord>;
  read(name: string): Promise<LeaseRecord | undefined>;
  /** Deletes it (at `resourceVersion` when given); a Lease that is gone or changed is left alone. */
  remove(name: string, resourceVersion?: string): Promise<void>;
  /** Writes (create, replace, delete) this store sent: the benchmark's and the metrics' count. */
  writes(): number;
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function stored(lease: V1Lease): LeaseRecord {
  const record = recordOf(lease);
  if (!record)
    throw new Error(`the API server answered Lease ${lease.metadata?.name ?? ''} without its record`);
  return record;
}

export function createLeaseStore(kc: KubeConfig, namespace: string): LeaseStore {
  const api = kc.makeApiClient(CoordinationV1Api);
  let writes = 0;
  const conflicts = async (name: string, call: () => Promise<V1Lease>): Promise<LeaseRecord> => {
    writes += 1;
    try {
      return stored(await call());
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 404) throw new LeaseConflict(name);
      throw error;
    }
  };
  return {
    namespace,
    // A create carries no resourceVersion: the API server refuses one (400), it does not compare it.
    create: ({ resourceVersion: _version, ...record }) =>
      conflicts(record.name, () =>
        api.createNamespacedLease({ namespace, body: leaseOf(record, namespace) }),
      ),
    replace: (record) =>
      conflicts(record.name, () =>
        api.replaceNamespacedLease({ namespace, name: record.name, body: leaseOf(record, namespace) }),
      ),
    async read(name) {
      try {
        return recordOf(await api.readNamespacedLease({ namespace, name }));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async remove(name, resourceVersion) {
      writes += 1;
      try {
        await api.deleteNamespacedLease({
          namespace,
          name,
          ...(resourceVersion ? { body: { preconditions: { resourceVersion } } } : {}),
        });
      } catch (error) {
        if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
      }
    },
    writes: () => writes,
  };
}

export interface LeaseWatchDeps {
  kc: KubeConfig;
  namespace: string;
  kinds: readonly RecordKind[];
  /** A record was added or changed. */
  onRecord: (record: LeaseRecord) => void;
  /** A record's Lease was deleted. */
  onGone: (record: LeaseRecord) => void;
  log: SupervisorLog;
}

export interface LeaseWatch {
  isSynced(): boolean;
  /** Every record the watch holds. */
  list(): LeaseRecord[];
  stop(): Promise<void>;
}

/** Watches the shared Leases of `kinds` in the namespace; a Lease that is no complete record is ignored. */
export function watchLeases(deps: LeaseWatchDeps): LeaseWatch {
  const api = deps.kc.makeApiClient(CoordinationV1Api);
  const { namespace } = deps;
  const labelSelector = `${SHARED_KIND_LABEL} in (${deps.kinds.join(',')})`;
  const each = (handle: (record: LeaseRecord) => void) => (lease: V1Lease) => {
    const record = recordOf(lease);
    if (record) handle(record);
  };
  const informer = superviseInformer<V1Lease>({
    path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
    name: 'shared records watch',
    logFields: { kinds: deps.kinds },
    makeWatch: () => new Watch(deps.kc),
    list: () => api.listNamespacedLease({ namespace, labelSelector }),
    labelSelector,
    onAdd: each(deps.onRecord),
    onUpdate: each(deps.onRecord),
    onDelete: each(deps.onGone),
    log: deps.log,
  });
  return {
    isSynced: () => informer.isSynced(),
    list: () => informer.list().flatMap((lease) => recordOf(lease) ?? []),
    stop: () => informer.stop(),
  };
}
