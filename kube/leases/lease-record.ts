// A coordination.k8s.io/v1 Lease as the leader election and the start slots read and write it, and the
// pure decision of one election round. Times in a Lease are MicroTime strings (RFC 3339 with six
// fractional digits); the holder's renewTime comes from another machine's clock, so expiry is judged by
// when this process saw the record change (as client-go's leaderelection does), never by that time.

export interface LeaseRecord {
  name: string;
  /** spec.holderIdentity; '' when the holder released it. */
  holder: string;
  /** spec.leaseDurationSeconds. */
  durationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  /** spec.leaseTransitions: how often the holder changed. */
  transitions: number;
  resourceVersion: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What to write: a record without the server's bookkeeping (resourceVersion is kept for a replace). */
export type LeaseDraft = Omit<LeaseRecord, 'resourceVersion'> & { resourceVersion?: string };

/** A time in the MicroTime form the API server parses (six fractional digits). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

interface LeaseObject {
  metadata?: { name?: string; resourceVersion?: string; labels?: unknown; annotations?: unknown };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** The record of a Lease object as the API server answers it. */
export function leaseRecordOf(object: unknown): LeaseRecord {
  const { metadata = {}, spec = {} } = (object ?? {}) as LeaseObject;
  return {
    name: metadata.name ?? '',
    holder: spec.holderIdentity ?? '',
    durationSeconds: spec.leaseDurationSeconds ?? 0,
    ...(spec.acquireTime ? { acquireTime: spec.acquireTime } : {}),
    ...(spec.renewTime ? { renewTime: spec.renewTime } : {}),
    transitions: spec.leaseTransitions ?? 0,
    resourceVersion: metadata.resourceVersion ?? '',
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
  };
}

/** The Lease object to send for a draft; a resourceVersion makes the write conditional on it. */
export function leaseObjectOf(namespace: string, draft: LeaseDraft): object {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: draft.name,
      namespace,
      ...(draft.resourceVersion ? { resourceVersion: draft.resourceVersion } : {}),
      ...(Object.keys(draft.labels).length > 0 ? { labels: draft.labels } : {}),
      ...(Object.keys(draft.annotations).length > 0 ? { annotations: draft.annotations } : {}),
    },
    spec: {
      holderIdentity: draft.holder,
      leaseDurationSeconds: draft.durationSeconds,
      ...(draft.acquireTime ? { acquireTime: draft.acquireTime } : {}),
      ...(draft.renewTime ? { renewTime: draft.renewTime } : {}),
      leaseTransitions: draft.transitions,
    },
  };
}

/** The record as last read, and when this process first saw that version of it (its own clock). */
export interface Observed {
  record: LeaseRecord | undefined;
  /** ms since the epoch when `record.resourceVersion` was first seen here. */
  observedAt: number;
}

export type ElectionStep =
  | { kind: 'create' }
  | { kind: 'renew' }
  | { kind: 'take-over'; reason: 'expired' | 'released' }
  | { kind: 'wait'; holder: string; expiresAt: number };

/**
 * One round: no Lease yet → create it; ours → renew it; released ('' holder) or not renewed for its
 * whole duration since we saw it change → take it over; else wait for the holder.
 */
export function decideElection(identity: string, observed: Observed, now: number): ElectionStep {
  const { record } = observed;
  if (!record) return { kind: 'create' };
  if (record.holder === identity) return { kind: 'renew' };
  if (record.holder === '') return { kind: 'take-over', reason: 'released' };
  const expiresAt = observed.observedAt + record.durationSeconds * 1000;
  if (now >= expiresAt) return { kind: 'take-over', reason: 'expired' };
  return { kind: 'wait', holder: record.holder, expiresAt };
}

/** The record after a successful round of `identity` at `now`. */
export function heldRecord(
  step: Exclude<ElectionStep, { kind: 'wait' }>,
  base: { name: string; durationSeconds: number; previous: LeaseRecord | undefined },
  identity: string,
  now: number,
): LeaseDraft {
  const { previous } = base;
  const renewing = step.kind === 'renew' && previous !== undefined;
  const changesHolder = step.kind === 'take-over';
  return {
    name: base.name,
    holder: identity,
    durationSeconds: base.durationSeconds,
    acquireTime: renewing ? (previous.acquireTime ?? microTime(now)) : microTime(now),
    renewTime: microTime(now),
    transitions: (previous?.transitions ?? 0) + (changesHolder ? 1 : 0),
    labels: previous?.labels ?? {},
    annotations: previous?.annotations ?? {},
    ...(previous ? { resourceVersion: previous.resourceVersion } : {}),
  };
}
