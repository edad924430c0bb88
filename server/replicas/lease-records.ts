// What replicas share through the Kubernetes API, as coordination.k8s.io Leases in the server's
// namespace: one per registered recorder (`sidecar`, `agent`), per browser session (`session`) and per
// continuous profiling selection (`continuous`, which never expires). A
// Lease's holder is the replica that last wrote it, its renew time plus duration is when it expires, and
// one annotation holds the record's data as JSON: never a token or a key. Pure: the Leases of
// kube/leases/lease-record.ts (the one Lease mapping) to records and back, and their names.
import { createHash } from 'node:crypto';
import { microTime, type LeaseDraft, type LeaseRecord } from '../../kube/leases/lease-record.ts';

export const RECORD_KINDS = ['sidecar', 'agent', 'session', 'continuous'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Labels every shared Lease with its kind; each replica watches the kinds it keeps. */
export const SHARED_KIND_LABEL = 'furnace.hyperfoil.io/shared';
/** The record's data, JSON. */
export const RECORD_ANNOTATION = 'furnace.hyperfoil.io/record';

export interface SharedRecord {
  name: string;
  kind: RecordKind;
  /** The record's own fields (a registration's identity, a session's sealed token). */
  data: Record<string, unknown>;
  /** The replica that last wrote it. */
  holder: string;
  /** When what it records began (a registration, a sign-in). Milliseconds. */
  acquiredAt: number;
  /** When it was last written. Milliseconds. */
  renewedAt: number;
  durationSeconds: number;
  /** The API server's version of the Lease, for writes that must not overwrite another replica's. */
  resourceVersion?: string;
}

export function expiresAtOf(record: Pick<SharedRecord, 'renewedAt' | 'durationSeconds'>): number {
  return record.renewedAt + record.durationSeconds * 1000;
}

/** A Lease name for the record of `parts` (a pod's namespace and name, a node, a session id's hash). */
export function recordName(kind: RecordKind, parts: readonly string[]): string {
  const hash = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40);
  return `furnace-${kind}-${hash}`;
}

/** The Lease to write for a record (kube/leases/lease-record.ts sends it). */
export function leaseDraftOf(record: SharedRecord): LeaseDraft {
  return {
    name: record.name,
    holder: record.holder,
    durationSeconds: record.durationSeconds,
    transitions: 0,
    acquireTime: microTime(record.acquiredAt),
    renewTime: microTime(record.renewedAt),
    labels: { [SHARED_KIND_LABEL]: record.kind },
    annotations: { [RECORD_ANNOTATION]: JSON.stringify(record.data) },
    ...(record.resourceVersion ? { resourceVersion: record.resourceVersion } : {}),
  };
}

function timeOf(value: string | undefined): number | undefined {
  const time = value === undefined ? NaN : Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

function dataOf(lease: LeaseRecord): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(lease.annotations[RECORD_ANNOTATION] ?? '');
    return typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The shared record a Lease holds, or undefined for one that is not a complete shared record. */
export function sharedRecordOf(lease: LeaseRecord): SharedRecord | undefined {
  const kind = lease.labels[SHARED_KIND_LABEL];
  const data = dataOf(lease);
  const acquiredAt = timeOf(lease.acquireTime);
  const renewedAt = timeOf(lease.renewTime);
  if (!RECORD_KINDS.includes(kind as RecordKind) || !lease.name || !data) return undefined;
  if (acquiredAt === undefined || renewedAt === undefined) return undefined;
  return {
    name: lease.name,
    kind: kind as RecordKind,
    data,
    holder: lease.holder,
    acquiredAt,
    renewedAt,
    durationSeconds: lease.durationSeconds,
    ...(lease.resourceVersion ? { resourceVersion: lease.resourceVersion } : {}),
  };
}
