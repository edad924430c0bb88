// Browser sessions of auth mode `kubernetes`: the sign-in cookie holds a random id, and only the server
// holds the token it stands for. A stolen cookie is no token for the API server, sign-out deletes the
// session, and a session ends after `auth.sessionSeconds` whatever the browser keeps. One replica keeps
// them in memory (this file); N replicas (`coordination.mode: kubernetes`) in the Kubernetes API, sealed
// (session-shared-store.ts).
import { randomBytes } from 'node:crypto';

export interface SessionStore {
  readonly ttlSeconds: number;
  /** A new session for an accepted token; its id goes in the cookie. */
  create(token: string): Promise<string>;
  /** The token of a live session, or undefined (unknown, expired or signed out). */
  tokenOf(id: string): Promise<string | undefined>;
  /** Sign-out: the id authenticates nothing from now on, on every replica. */
  delete(id: string): Promise<void>;
  size(): number;
}

export interface SessionStoreOptions {
  now: () => number;
  ttlSeconds: number;
  /** Sessions kept at most: past it the expired go, then the oldest. */
  maxSessions?: number;
  newId?: () => string;
}

export const DEFAULT_SESSION_SECONDS = 8 * 3600;
export const MAX_SESSIONS = 100_000;

/** A session id: 256 random bits, base64url, as the cookie carries it. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { now, ttlSeconds } = options;
  const maxSessions = options.maxSessions ?? MAX_SESSIONS;
  const newId = options.newId ?? newSessionId;
  // Insertion order is creation order, so the first entry is the oldest session.
  const sessions = new Map<string, { token: string; expiresAt: number }>();
  const makeRoom = (): void => {
    const time = now();
    for (const [id, session] of sessions) if (session.expiresAt <= time) sessions.delete(id);
    for (const id of sessions.keys()) {
      if (sessions.size < maxSessions) break;
      sessions.delete(id);
    }
  };
  return {
    ttlSeconds,
    create(token) {
      if (sessions.size >= maxSessions) makeRoom();
      const id = newId();
      sessions.set(id, { token, expiresAt: now() + ttlSeconds * 1000 });
      return Promise.resolve(id);
    },
    tokenOf(id) {
      const session = sessions.get(id);
      if (session === undefined) return Promise.resolve(undefined);
      if (session.expiresAt > now()) return Promise.resolve(session.token);
      sessions.delete(id);
      return Promise.resolve(undefined);
    },
    delete(id) {
      sessions.delete(id);
      return Promise.resolve();
    },
    size: () => sessions.size,
  };
}
