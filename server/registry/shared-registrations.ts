// Registrations shared by N replicas (`coordination.mode: kubernetes`): a registration is written to a Lease in the
// server's namespace (registration-records.ts says what and when) and every replica's registry is a view
// of those Leases, fed by a watch (onRecord, onGone). Tokens are derived, never written. A deleted pod's
// registration leaves every replica's view at once through each replica's own pod watch (podDeleted),
// which also keeps a late write of it out; the replica that wrote a Lease deletes it when its pod goes or
// it expires, and any replica deletes one left expired for five minutes (collect).
import pLimit, { type LimitFunction } from 'p-limit';
import { FurnaceError } from '../../core/contract/errors.ts';
import { dueForCollection } from '../replicas/lease-collector.ts';
import type { SharedRecord, RecordKind } from '../replicas/lease-records.ts';
import { LeaseConflict, type LeaseStore } from '../replicas/lease-store.ts';
import type { SharedKeys } from '../../core/shared-key.ts';
import type { AgentRegisterInput, AgentRegistration, AgentRegistry } from './agent-registry.ts';
import type { RegisterInput, Registration, Registry } from './lease-registry.ts';
import { identityOf, type RecorderIdentity } from './recorder-identity.ts';
import {
  agentRecordName,
  DEFAULT_WRITE_INTERVAL_SECONDS,
  planWrite,
  storedExpiry,
  recordDataOf,
  sidecarRecordName,
  storedAgentOf,
  storedOf,
  type PlannedWrite,
} from './registration-records.ts';

export interface SharedRegistrationsDeps {
  registry: Registry;
  agents?: AgentRegistry;
  store: LeaseStore;
  /** This replica, in the Leases it writes. */
  holder: string;
  now: () => number;
  keys: SharedKeys;
  leaseSeconds: number;
  /** At most one write per recorder in this many seconds (60). */
  writeIntervalSeconds?: number;
  /** In [0, 1): how far each write's interval is stretched (registration-records.ts); Math.random. */
  random?: () => number;
  log: { warn(obj: object, msg: string): void };
  /** Renewals written behind their answers that are at the API server at once; the rest wait their turn (8). */
  writesBehindAtOnce?: number;
}

export interface SharedRegistrations {
  /** Registers or renews a sidecar through the shared store; the registration as every replica sees it. */
  writeSidecar(input: RegisterInput): Promise<Registration>;
  writeAgent(input: AgentRegisterInput): Promise<AgentRegistration>;
  /** The watch saw a registration's Lease added or changed. */
  onRecord(record: SharedRecord): void;
  /** The watch saw a registration's Lease deleted. */
  onGone(record: SharedRecord): void;
  /** This replica's pod watch saw the pod deleted. */
  podDeleted(namespace: string, pod: string, podUid: string | undefined): void;
  /** Deletes expired registrations' Leases (this replica's, and anyone's five minutes late); how many. */
  collect(): Promise<number>;
}

/** Deleted pods' UIDs are remembered this long, so that a write racing the deletion is not taken. */
const TOMBSTONE_MS = 10 * 60_000;
/**
 * Renewals written behind their answers at once. Each write in flight holds a connection to the API server
 * and its TLS buffers; with no bound, a stalled API server (load 15 on the benchmark's two cores) left
 * hundreds open per replica, and both replicas were killed at their memory limit with their heaps at 65 MiB.
 * A write waiting its turn is a record of ~0.5 kB, one per recorder at most (#behind).
 */
const WRITES_BEHIND_AT_ONCE = 8;
const MAX_TOMBSTONES = 100_000;

function unavailable(cause: unknown): FurnaceError {
  const failure = new FurnaceError(
    'ERR_UNAVAILABLE',
    'the registration could not be stored in the Kubernetes API; retry',
  );
  failure.cause = cause;
  return failure;
}

type Written = Registration | AgentRegistration;
type Input = RecorderIdentity & { node?: string };

export function createSharedRegistrations(deps: SharedRegistrationsDeps): SharedRegistrations {
  return new LeaseBackedRegistrations(deps);
}

class LeaseBackedRegistrations implements SharedRegistrations {
  readonly #deps: SharedRegistrationsDeps;
  readonly #writeIntervalSeconds: number;
  /** The last record seen of each registration's Lease (from the watch or this replica's write). */
  readonly #seen = new Map<string, SharedRecord>();
  readonly #tombstones = new Map<string, number>();
  /** Renewals being written behind their answer. */
  readonly #behind = new Set<string>();
  /** The record version each Lease's registration in the view was taken from. */
  readonly #applied = new Map<string, string>();
  readonly #behindTurns: LimitFunction;

  constructor(deps: SharedRegistrationsDeps) {
    this.#deps = deps;
    const { writesBehindAtOnce = WRITES_BEHIND_AT_ONCE } = deps;
    const { writeIntervalSeconds = DEFAULT_WRITE_INTERVAL_SECONDS } = deps;
    this.#behindTurns = pLimit(writesBehindAtOnce);
    this.#writeIntervalSeconds = writeIntervalSeconds;
  }

  writeSidecar(input: RegisterInput): Promise<Registration> {
    return this.#write(sidecarRecordName(input.namespace, input.pod), 'sidecar', input);
  }

  async writeAgent(input: AgentRegisterInput): Promise<AgentRegistration> {
    const { node, namespace, pod, podUid, address, tls } = input;
    const written = await this.#write(agentRecordName(node), 'agent', {
      namespace,
      pod,
      podUid,
      address,
      tls,
      node,
    });
    return written as AgentRegistration;
  }

  onRecord(record: SharedRecord): void {
    if (record.kind === 'session') return;
    this.#seen.set(record.name, record);
    // The echo of this replica's own write is in the view already.
    if (!record.resourceVersion || this.#applied.get(record.name) !== record.resourceVersion)
      this.#apply(record);
  }

  onGone(record: SharedRecord): void {
    if (record.kind === 'session') return;
    if (this.#seen.get(record.name)?.resourceVersion === record.resourceVersion)
      this.#seen.delete(record.name);
    const stored = storedOf(record);
    if (!stored) return;
    if (record.kind === 'sidecar') this.#deps.registry.remove(stored.namespace, stored.pod, stored.podUid);
    else this.#deps.agents?.removePod(stored.namespace, stored.pod, stored.podUid);
  }

  podDeleted(namespace: string, pod: string, podUid: string | undefined): void {
    const { registry, agents, store, holder, now, log } = this.#deps;
    if (podUid !== undefined) this.#tombstone(podUid, now());
    registry.remove(namespace, pod, podUid);
    agents?.removePod(namespace, pod, podUid);
    for (const record of this.#seen.values()) {
      const stored = storedOf(record);
      if (record.holder !== holder || stored?.namespace !== namespace || stored.pod !== pod) continue;
      if (podUid !== undefined && stored.podUid !== podUid) continue;
      this.#seen.delete(record.name);
      store.remove(record.name, record.resourceVersion).catch((error: unknown) => {
        log.warn({ err: error, lease: record.name }, 'a deleted pod’s registration Lease was not deleted');
      });
    }
  }

  async collect(): Promise<number> {
    const due = dueForCollection(this.#seen.values(), this.#deps.holder, this.#deps.now());
    for (const record of due) {
      this.#seen.delete(record.name);
      await this.#deps.store.remove(record.name, record.resourceVersion);
    }
    return due.length;
  }

  #tombstone(podUid: string, time: number): void {
    if (this.#tombstones.size >= MAX_TOMBSTONES)
      for (const [uid, until] of this.#tombstones) if (until <= time) this.#tombstones.delete(uid);
    this.#tombstones.set(podUid, time + TOMBSTONE_MS);
  }

  /** The registration a record holds, put in this replica's view; none for a deleted pod's. */
  #apply(record: SharedRecord): Written | undefined {
    const stored = storedOf(record);
    const deleted =
      stored?.podUid !== undefined && (this.#tombstones.get(stored.podUid) ?? 0) > this.#deps.now();
    this.#applied.delete(record.name);
    if (!stored || deleted) return undefined;
    const agent = record.kind === 'agent' ? storedAgentOf(record) : undefined;
    const applied = agent ? this.#deps.agents?.apply(agent) : this.#deps.registry.apply(stored);
    if (applied && record.resourceVersion) this.#applied.set(record.name, record.resourceVersion);
    return applied;
  }

  /** The registration of this very record version, when the view already holds it: nothing to derive again. */
  #inView(record: SharedRecord, input: Input): Written | undefined {
    if (!record.resourceVersion || this.#applied.get(record.name) !== record.resourceVersion)
      return undefined;
    const { registry, agents } = this.#deps;
    return input.node === undefined ? registry.get(input.namespace, input.pod) : agents?.forNode(input.node);
  }

  #plan(name: string, input: Input): PlannedWrite | undefined {
    const stored = ((known) => known && storedOf(known))(this.#seen.get(name));
    const { keys } = this.#deps;
    const usable = stored && keys.byId(stored.keyId) ? stored : undefined;
    return planWrite(usable, input, { ...this.#policy(), currentKeyId: keys.current.id });
  }

  #policy(): { now: number; leaseSeconds: number; writeIntervalSeconds: number; spread: number } {
    const { now, leaseSeconds, random = Math.random } = this.#deps;
    return { now: now(), leaseSeconds, writeIntervalSeconds: this.#writeIntervalSeconds, spread: random() };
  }

  /** Writes what the plan says; on a conflict reads what another replica wrote and plans again, once. */
  async #write<T extends Written>(name: string, kind: RecordKind, input: Input): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const plan = this.#plan(name, input);
      const known = this.#seen.get(name);
      const served = known && !plan?.wait ? (this.#inView(known, input) ?? this.#apply(known)) : undefined;
      if (served && plan) this.#writeBehind(this.#recordFor(name, kind, input, plan));
      if (served) return served as T;
      try {
        return (await this.#send(this.#recordFor(name, kind, input, plan))) as T;
      } catch (error) {
        if (!(error instanceof LeaseConflict) || attempt >= 1) throw unavailable(error);
        try {
          await this.#reread(name);
        } catch (readError) {
          throw unavailable(readError);
        }
      }
    }
  }

  async #reread(name: string): Promise<void> {
    const current = await this.#deps.store.read(name);
    if (current) this.#seen.set(name, current);
    else this.#seen.delete(name);
  }

  #recordFor(name: string, kind: RecordKind, input: Input, planned: PlannedWrite | undefined): SharedRecord {
    const { now, keys, holder } = this.#deps;
    const time = now();
    const plan = planned ?? { registeredAt: time, expiresAt: storedExpiry(this.#policy()) };
    const data = recordDataOf({ ...identityOf(input), ...plan, keyId: keys.current.id, node: input.node });
    const record: SharedRecord = {
      ...{ name, kind, data, holder, acquiredAt: plan.registeredAt, renewedAt: time },
      durationSeconds: Math.ceil((plan.expiresAt - time) / 1000),
    };
    const resourceVersion = this.#seen.get(name)?.resourceVersion;
    if (resourceVersion) record.resourceVersion = resourceVersion;
    return record;
  }

  async #send(record: SharedRecord): Promise<Written> {
    const { store } = this.#deps;
    const saved = record.resourceVersion ? await store.replace(record) : await store.create(record);
    this.#seen.set(saved.name, saved);
    const applied = this.#apply(saved);
    if (!applied)
      throw unavailable(
        new Error(
          `Lease ${saved.name} was stored but not taken: its pod was deleted, or its key is not accepted`,
        ),
      );
    return applied;
  }

  /**
   * An expiry-only renewal, written after the answer; one at a time per recorder, a few at once in all. When
   * its turn comes and the Lease is no longer the version it was planned on (another replica renewed it, or
   * it is gone with its pod), it is not written: the next renewal plans again from what is there.
   */
  #writeBehind(record: SharedRecord): void {
    if (this.#behind.has(record.name)) return;
    this.#behind.add(record.name);
    const rereadOnConflict = async (error: unknown): Promise<void> => {
      if (!(error instanceof LeaseConflict)) throw error;
      await this.#reread(record.name);
    };
    const send = async (): Promise<unknown> =>
      this.#seen.get(record.name)?.resourceVersion === record.resourceVersion
        ? this.#send(record)
        : undefined;
    this.#behindTurns(send)
      .catch(rereadOnConflict)
      .catch((error: unknown) =>
        this.#deps.log.warn({ err: error, lease: record.name }, 'a registration’s renewal was not stored'),
      )
      .finally(() => this.#behind.delete(record.name));
  }
}
