// What replicas share through the Kubernetes API, as coordination.k8s.io Leases in the server's
// namespace: one per registered recorder (`sidecar`, `agent`), per browser session (`session`) and per
// continuous profiling selection (`continuous`, which never expires). A
// Lease's holder is the replica that last wrote it, its renew time plus duration is when it expires, and
// one annotation holds the record's data as JSON: never a token or a key. Pure: Lease objects to records
// and back, and their names.
import { createHash } from 'node:crypto';
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';

export const RECORD_KINDS = ['sidecar', 'agent', 'session', 'continuous'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Labels every shared Lease with its kind; each replica watches the kinds it keeps. */
export const SHARED_KIND_LABEL = 'furnace.hyperfoil.io/shared';
/** The record's data, JSON. */
export const RECORD_ANNOTATION = 'furnace.hyperfoil.io/record';

export interface LeaseRecord {
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

export function expiresAtOf(record: Pick<LeaseRecord, 'renewedAt' | 'durationSeconds'>): number {
  return record.renewedAt + record.durationSeconds * 1000;
}

/** A Lease name for the record of `parts` (a pod's namespace and name, a node, a session id's hash). */
export function recordName(kind: RecordKind, parts: readonly string[]): string {
  const hash = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40);
  return `furnace-${kind}-${hash}`;
}

export function leaseOf(record: LeaseRecord, namespace: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: record.name,
      namespace,
      labels: { [SHARED_KIND_LABEL]: record.kind },
      annotations: { [RECORD_ANNOTATION]: JSON.stringify(record.data) },
      ...(record.resourceVersion ? { resourceVersion: record.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: record.holder,
      acquireTime: new V1MicroTime(record.acquiredAt),
      renewTime: new V1MicroTime(record.renewedAt),
      leaseDurationSeconds: record.durationSeconds,
    },
  };
}

function timeOf(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

function dataOf(lease: V1Lease): Record<string, unknown> | undefined {
  try {
    const data: unknown = JSON.parse(lease.metadata?.annotations?.[RECORD_ANNOTATION] ?? '');
    return typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The times of a Lease's spec, or undefined when one is missing. */
function timesOf(
  lease: V1Lease,
): Pick<LeaseRecord, 'acquiredAt' | 'renewedAt' | 'durationSeconds'> | undefined {
  const acquiredAt = timeOf(lease.spec?.acquireTime);
  const renewedAt = timeOf(lease.spec?.renewTime);
  const durationSeconds = lease.spec?.leaseDurationSeconds;
  if (acquiredAt === undefined || renewedAt === undefined || durationSeconds === undefined) return undefined;
  return { acquiredAt, renewedAt, durationSeconds };
}

/** The record a Lease holds, or undefined for one that is not a complete shared record. */
export function recordOf(lease: V1Lease): LeaseRecord | undefined {
  const kind = lease.metadata?.labels?.[SHARED_KIND_LABEL];
  const name = lease.metadata?.name;
  const data = dataOf(lease);
  const times = timesOf(lease);
  if (!RECORD_KINDS.includes(kind as RecordKind) || !name || !data || !times) return undefined;
  const resourceVersion = lease.metadata?.resourceVersion;
  return {
    name,
    kind: kind as RecordKind,
    data,
    holder: lease.spec?.holderIdentity ?? '',
    ...times,
    ...(resourceVersion ? { resourceVersion } : {}),
  };
}
