// Registrations as shared records (replicas/lease-records.ts): what a sidecar's or an agent's Lease
// holds (the identity, the key id and the times, never a token), and when a replica writes one. Writes
// are rare on purpose: the stored expiry runs a write interval (60 s) past the recorder's own lease, and
// a renewal writes only once fewer than `leaseSeconds` of it remain, so a recorder costs at most one write
// per interval however often it renews. Each write stretches its interval by a random share of up to all of it
// (WRITE_SPREAD), so recorders registered together (a replica's start, a rollout of 5,000 pods) do not
// renew together for ever: their writes drift apart within a few intervals instead of reaching the API
// server in one burst every minute. Pure, given the policy's `spread`.
import { expiresAtOf, recordName, type SharedRecord } from '../replicas/lease-records.ts';
import type { StoredAgentRegistration } from './agent-registry.ts';
import type { StoredRegistration } from './lease-registry.ts';
import { sameSidecar, type RecorderIdentity } from './recorder-identity.ts';

export const DEFAULT_WRITE_INTERVAL_SECONDS = 60;
/** A write's interval is stretched by up to this share of it, at random. */
export const WRITE_SPREAD = 1;

export function sidecarRecordName(namespace: string, pod: string): string {
  return recordName('sidecar', [namespace, pod]);
}

export function agentRecordName(node: string): string {
  return recordName('agent', [node]);
}

type RecordData = {
  namespace: string;
  pod: string;
  podUid: string;
  host: string;
  port: number;
  tlsPort?: number;
  pin?: string;
  keyId: string;
  node?: string;
};

export function recordDataOf(
  stored: StoredRegistration & { node?: string },
): Record<string, unknown> & RecordData {
  const { namespace, pod, podUid = '', address, tls, keyId, node } = stored;
  return {
    ...{ namespace, pod, podUid, host: address.host, port: address.port, keyId },
    ...(tls ? { tlsPort: tls.port, pin: tls.pin } : {}),
    ...(node === undefined ? {} : { node }),
  };
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isPort = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;

/** The registration a sidecar's or agent's record holds, or undefined for a record that is not whole. */
export function storedOf(record: SharedRecord): (StoredRegistration & { node?: string }) | undefined {
  const d = record.data;
  if (![d.namespace, d.pod, d.podUid, d.host, d.keyId].every(isText) || !isPort(d.port)) return undefined;
  const tls = isPort(d.tlsPort) && isText(d.pin) ? { port: d.tlsPort, pin: d.pin } : undefined;
  if (record.kind === 'agent' && (!isText(d.node) || !tls)) return undefined;
  const stored = {
    ...{ namespace: d.namespace as string, pod: d.pod as string, podUid: d.podUid as string },
    address: { host: d.host as string, port: d.port },
    ...(tls ? { tls } : {}),
    keyId: d.keyId as string,
    registeredAt: record.acquiredAt,
    expiresAt: expiresAtOf(record),
  };
  return isText(d.node) ? { ...stored, node: d.node } : stored;
}

export function storedAgentOf(record: SharedRecord): StoredAgentRegistration | undefined {
  const stored = storedOf(record);
  if (!stored?.node || !stored.tls || !stored.podUid) return undefined;
  return { ...stored, node: stored.node, podUid: stored.podUid, tls: stored.tls };
}

export interface WritePolicy {
  now: number;
  leaseSeconds: number;
  writeIntervalSeconds: number;
  /** The key new tokens are derived with. */
  currentKeyId: string;
  /** A number in [0, 1) that stretches this write's interval by that share of WRITE_SPREAD (Math.random()). */
  spread: number;
}

/** When a registration written now expires: the recorder's lease, then a write interval, stretched by `spread`. */
export function storedExpiry(policy: Omit<WritePolicy, 'currentKeyId'>): number {
  const { now, leaseSeconds, writeIntervalSeconds, spread } = policy;
  return now + (leaseSeconds + writeIntervalSeconds * (1 + WRITE_SPREAD * spread)) * 1000;
}

/** What a replica writes for a registration: its times, and whether the answer waits for the write. */
export interface PlannedWrite {
  registeredAt: number;
  expiresAt: number;
  /**
   * A new registration or new tokens (another sidecar, a key rotation): the answer waits, so that a
   * replica that presents the tokens has them. A renewal that only extends the expiry writes behind the
   * answer: its tokens are the stored ones whatever the write does, and a failed write is tried again at
   * the next renewal, well before the stored expiry.
   */
  wait: boolean;
}

/**
 * What to write for a registration of `input`, or undefined when what is stored serves: the same
 * sidecar under the current key with more than `leaseSeconds` left. A new sidecar starts a new
 * registration; a key rotation or a renewal keeps its start.
 */
export function planWrite(
  stored: StoredRegistration | undefined,
  input: RecorderIdentity,
  policy: WritePolicy,
): PlannedWrite | undefined {
  const { now, leaseSeconds, currentKeyId } = policy;
  const expiresAt = storedExpiry(policy);
  if (!stored || stored.expiresAt <= now || !sameSidecar(stored, input))
    return { registeredAt: now, expiresAt, wait: true };
  if (stored.keyId !== currentKeyId) return { registeredAt: stored.registeredAt, expiresAt, wait: true };
  if (stored.expiresAt - now < leaseSeconds * 1000)
    return { registeredAt: stored.registeredAt, expiresAt, wait: false };
  return undefined;
}
