// Browser sessions shared by N replicas (`coordination.mode: kubernetes`): each is a Lease in the server's namespace
// (replicas/lease-records.ts, kind `session`) named by a hash of its id and holding its token sealed with
// a key derived from the shared key and the id (session-seal.ts); it expires after `auth.sessionSeconds`.
// Every replica watches them, so a session made on one is valid on all; sign-out deletes the Lease, which
// ends it on all. A cookie the watch has not shown yet (signed in on another replica a moment ago) is
// looked up in the API, within a budget per second, so unknown cookies cannot load the API server.
import { FurnaceError } from '../../core/contract/errors.ts';
import { dueForCollection } from '../replicas/lease-collector.ts';
import { expiresAtOf, type SharedRecord } from '../replicas/lease-records.ts';
import type { LeaseStore } from '../replicas/lease-store.ts';
import type { SharedKeys } from '../../core/shared-key.ts';
import { openToken, sealToken, sessionHash, type SealedToken } from './session-seal.ts';
import { MAX_SESSIONS, newSessionId, type SessionStore } from './session-store.ts';

export interface SharedSessionDeps {
  store: LeaseStore;
  keys: SharedKeys;
  /** This replica, in the Leases it writes. */
  holder: string;
  now: () => number;
  ttlSeconds: number;
  maxSessions?: number;
  /** Lookups of cookies the watch has not shown, per second at most (20). */
  lookupsPerSecond?: number;
  newId?: () => string;
}

export interface SharedSessionStore extends SessionStore {
  /** The watch saw a session's Lease added or changed. */
  onRecord(record: SharedRecord): void;
  /** The watch saw a session's Lease deleted: signed out or expired. */
  onGone(record: SharedRecord): void;
  /** Deletes expired sessions' Leases (this replica's, and anyone's five minutes late); how many. */
  collect(): Promise<number>;
}

const NAME_PREFIX = 'furnace-session-';

export function sessionRecordName(sessionId: string): string {
  return `${NAME_PREFIX}${sessionHash(sessionId).slice(0, 40)}`;
}

function sealedOf(record: SharedRecord): SealedToken | undefined {
  const { keyId, sealed } = record.data;
  return typeof keyId === 'string' && typeof sealed === 'string' ? { keyId, sealed } : undefined;
}

function unavailable(what: string, cause: unknown): FurnaceError {
  const failure = new FurnaceError(
    'ERR_UNAVAILABLE',
    `${what}: the Kubernetes API could not be reached; retry`,
  );
  failure.cause = cause;
  return failure;
}

export function createSharedSessionStore(deps: SharedSessionDeps): SharedSessionStore {
  return new LeaseSessions(deps);
}

class LeaseSessions implements SharedSessionStore {
  readonly ttlSeconds: number;
  readonly #deps: Required<SharedSessionDeps>;
  readonly #known = new Map<string, SharedRecord>();
  readonly #lookups = new Map<string, Promise<SharedRecord | undefined>>();
  #budget = { second: 0, used: 0 };

  constructor({
    maxSessions = MAX_SESSIONS,
    newId = newSessionId,
    lookupsPerSecond = 20,
    ...deps
  }: SharedSessionDeps) {
    this.#deps = { ...deps, maxSessions, newId, lookupsPerSecond };
    this.ttlSeconds = deps.ttlSeconds;
  }

  async create(token: string): Promise<string> {
    const { store, keys, holder, now } = this.#deps;
    const max = this.#deps.maxSessions;
    if (this.#known.size >= max) await this.collect();
    if (this.#known.size >= max)
      throw new FurnaceError(
        'ERR_UNAVAILABLE',
        `sign-in refused: ${max} sessions are open (the limit); retry later`,
      );
    const id = this.#deps.newId();
    const time = now();
    const record: SharedRecord = {
      ...{ name: sessionRecordName(id), kind: 'session', holder, acquiredAt: time, renewedAt: time },
      data: { ...sealToken(keys.current, id, token) },
      durationSeconds: this.ttlSeconds,
    };
    try {
      this.#known.set(record.name, await store.create(record));
    } catch (error) {
      throw unavailable('sign-in not stored', error);
    }
    return id;
  }

  async tokenOf(id: string): Promise<string | undefined> {
    const name = sessionRecordName(id);
    const record = this.#known.get(name) ?? (await this.#lookUp(name));
    const sealed = record && sealedOf(record);
    if (!record || !sealed || expiresAtOf(record) <= this.#deps.now()) return undefined;
    return openToken(this.#deps.keys, id, sealed);
  }

  async delete(id: string): Promise<void> {
    const name = sessionRecordName(id);
    this.#known.delete(name);
    try {
      await this.#deps.store.remove(name);
    } catch (error) {
      throw unavailable('sign-out not stored', error);
    }
  }

  size(): number {
    return this.#known.size;
  }

  onRecord(record: SharedRecord): void {
    if (record.kind === 'session') this.#known.set(record.name, record);
  }

  onGone(record: SharedRecord): void {
    if (record.kind === 'session') this.#known.delete(record.name);
  }

  async collect(): Promise<number> {
    const due = dueForCollection(this.#known.values(), this.#deps.holder, this.#deps.now());
    for (const record of due) {
      this.#known.delete(record.name);
      await this.#deps.store.remove(record.name, record.resourceVersion);
    }
    return due.length;
  }

  /** A session the watch has not shown, read from the API once per name at a time, within the budget. */
  #lookUp(name: string): Promise<SharedRecord | undefined> {
    const pending = this.#lookups.get(name);
    if (pending) return pending;
    const second = Math.floor(this.#deps.now() / 1000);
    if (this.#budget.second !== second) this.#budget = { second, used: 0 };
    if (this.#budget.used >= this.#deps.lookupsPerSecond) return Promise.resolve(undefined);
    this.#budget.used += 1;
    const lookup = this.#deps.store
      .read(name)
      .then((record) => (record?.kind === 'session' ? record : undefined))
      .catch(() => undefined)
      .finally(() => this.#lookups.delete(name));
    this.#lookups.set(name, lookup);
    return lookup;
  }
}
