// Start slots shared by the server's replicas, as Lease objects in the server's namespace: one per pod
// that records (its name from the pod), and numbered ones per namespace and for the cluster, as many as
// the limits allow (maxConcurrentPerNamespace, maxConcurrentPerCluster). Taking a slot is creating its
// Lease; the API server's 409 on a name that exists is what makes two replicas unable to take one slot.
// A slot's Lease holds for its duration from its last renewal: a reservation (the start is on its way
// to the recorder) is renewed by its replica, a committed one lasts the recording's deadline, so a
// replica that dies mid-start frees its slots by itself. Pure: names, labels, expiry, the free number.
import { createHash } from 'node:crypto';
import type { LeaseRecord } from '../../kube/leases/lease-record.ts';

export type SlotKind = 'pod' | 'namespace' | 'cluster';

export const SLOT_LABEL = 'furnace.hyperfoil.io/slot';
export const SLOT_NAMESPACE_LABEL = 'furnace.hyperfoil.io/slot-namespace';
/** The same on a start's three slots: a hash of namespace/pod (label values are 63 characters at most). */
export const SLOT_POD_LABEL = 'furnace.hyperfoil.io/slot-pod';
export const POD_ANNOTATION = 'furnace.hyperfoil.io/pod';
export const RECORDING_ANNOTATION = 'furnace.hyperfoil.io/recording';
export const STARTED_BY_ANNOTATION = 'furnace.hyperfoil.io/started-by';
/** The start's idempotency key, hashed with the user (server/proxy/start-key.ts). */
export const START_KEY_ANNOTATION = 'furnace.hyperfoil.io/start-key';
/** The recorder's answer to a keyed start (JSON), on the pod's slot: what a retry through any replica gets. */
export const START_ANSWER_ANNOTATION = 'furnace.hyperfoil.io/start-answer';
/** Answers larger than this are not kept (the retry is then told to ask again once the catalog lists it). */
export const MAX_KEPT_ANSWER = 16 * 1024;

const MAX_NAME = 253;

export function podKey(namespace: string, pod: string): string {
  return createHash('sha256').update(`${namespace}/${pod}`).digest('hex').slice(0, 40);
}

/** `furnace-slot-pod-<namespace>.<pod>` (a namespace has no dot, so the name is the pod's alone), or a hash if too long. */
export function podSlotName(namespace: string, pod: string): string {
  const readable = `furnace-slot-pod-${namespace}.${pod}`;
  return readable.length <= MAX_NAME ? readable : `furnace-slot-pod-${podKey(namespace, pod)}`;
}

export function numberedSlotName(kind: 'namespace' | 'cluster', namespace: string, index: number): string {
  return kind === 'cluster' ? `furnace-slot-cluster-${index}` : `furnace-slot-ns-${namespace}-${index}`;
}

/** The label selector of a kind's live and expired slots (a namespace's, or the cluster's). */
export function slotSelector(kind: SlotKind, namespace?: string): string {
  const base = `${SLOT_LABEL}=${kind}`;
  return kind === 'cluster' || namespace === undefined
    ? base
    : `${base},${SLOT_NAMESPACE_LABEL}=${namespace}`;
}

/** Released (no holder) or not renewed for its duration (the holder's clock; replicas keep NTP time). */
export function slotExpired(record: LeaseRecord, now: number): boolean {
  if (record.holder === '') return true;
  const renewed = Date.parse(record.renewTime ?? '');
  return Number.isNaN(renewed) || renewed + record.durationSeconds * 1000 <= now;
}

export interface FreeSlot {
  index: number;
  /** The expired Lease under that number, taken over on its resourceVersion; absent: create it. */
  expired?: LeaseRecord;
}

/** What numbers a kind of slot has, and how to judge and order them. */
export interface SlotNumbering {
  /** The Lease name of slot number `index`. */
  names: (index: number) => string;
  /** How many numbers there are. */
  limit: number;
  /** ms since the epoch, to judge expiry. */
  now: number;
  /** Orders the free numbers (Math.random by default). */
  random?: () => number;
  /** A slot that is free although not expired (its recording ended). */
  ended?: (record: LeaseRecord) => boolean;
}

/**
 * How many of `records` (one kind's slots) are live, and every number below the limit that is free, in a
 * random order: starts that arrive together (on one replica or several) then try different numbers
 * instead of all racing for the lowest one.
 */
export function freeSlots(
  records: readonly LeaseRecord[],
  { names, limit, now, random = Math.random, ended = () => false }: SlotNumbering,
): { live: number; free: FreeSlot[] } {
  const byName = new Map(records.map((record) => [record.name, record]));
  const taken = (record: LeaseRecord): boolean => !slotExpired(record, now) && !ended(record);
  const live = records.filter(taken).length;
  const free: FreeSlot[] = [];
  for (let index = 0; index < limit; index += 1) {
    const record = byName.get(names(index));
    if (!record) free.push({ index });
    else if (!taken(record)) free.push({ index, expired: record });
  }
  for (let last = free.length - 1; last > 0; last -= 1) {
    const pick = Math.floor(random() * (last + 1));
    [free[last], free[pick]] = [free[pick] as FreeSlot, free[last] as FreeSlot];
  }
  return { live, free };
}
