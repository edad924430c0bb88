// Upload grants for node agents: an agent records many pods, so no registration token can say whose
// recording an upload is. The proxy grants one token per start it forwards to an agent, for that pod; the
// catalog then accepts uploads with the token in that pod's name only, while the agent of the node stays
// registered. The token carries the pod, the node and its expiry, signed with the replicas' shared key,
// so any replica accepts it without having stored it. Binding to one recording id: the replica that made
// the grant binds it to the id of the agent's start answer; another replica binds it to the first id it
// sees uploaded with it (docs/security.md says what that leaves). Pure.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveToken, type SharedKeys } from '../../core/shared-key.ts';

export interface GrantOwner {
  namespace: string;
  pod: string;
  podUid: string;
}

export interface UploadGrant {
  owner: GrantOwner;
  node: string;
  /** Set when the agent's start answer names the recording (or, on another replica, the first upload). */
  recordingId?: string;
  expiresAt: number;
}

export interface UploadGrants {
  /** A new token for a start forwarded to the agent of `node`, valid until `expiresAt`. */
  grant(owner: GrantOwner, node: string, expiresAt: number): string;
  /** Ties the token to the recording the start made. */
  bind(token: string, recordingId: string, expiresAt: number): void;
  /** Forgets a grant whose start failed. */
  revoke(token: string): void;
  /** The grant of a token for this recording id, or undefined (forged, expired, unbound or another id). */
  find(token: string, recordingId: string): UploadGrant | undefined;
  /** Grants this replica holds a binding or a refusal for. */
  size(): number;
}

/** Bindings kept at most: each is a start in progress or a recording being uploaded. */
const MAX_GRANTS = 100_000;
const PURPOSE = 'upload-grant';

interface GrantClaims {
  n: string;
  p: string;
  u: string;
  d: string;
  e: number;
  /** Makes two grants of one pod and node different tokens. */
  r: string;
}

interface Local {
  /** Made here and not yet bound: uploads wait for the start answer. */
  pending?: true;
  revoked?: true;
  recordingId?: string;
  expiresAt: number;
}

function claimsOf(payload: string): GrantClaims | undefined {
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<GrantClaims>;
    const texts = [claims.n, claims.p, claims.u, claims.d, claims.r];
    if (!texts.every((text) => typeof text === 'string') || typeof claims.e !== 'number') return undefined;
    return claims as GrantClaims;
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createUploadGrants(deps: { now: () => number; keys: SharedKeys }): UploadGrants {
  const local = new Map<string, Local>();

  function sweep(): void {
    const now = deps.now();
    for (const [token, entry] of local) if (entry.expiresAt <= now) local.delete(token);
  }

  function note(token: string, entry: Local): void {
    if (local.size >= MAX_GRANTS) sweep();
    if (local.size < MAX_GRANTS) local.set(token, entry);
  }

  /** The signed claims of a token, if one of the accepted keys signed it and it has not expired. */
  function verify(token: string): GrantClaims | undefined {
    const [keyId = '', payload = '', mac = '', ...rest] = token.split('.');
    const key = deps.keys.byId(keyId);
    if (!key || rest.length > 0 || !sameText(mac, deriveToken(key, PURPOSE, [payload]))) return undefined;
    const claims = claimsOf(payload);
    return claims && claims.e > deps.now() ? claims : undefined;
  }

  return {
    grant(owner, node, expiresAt) {
      const claims: GrantClaims = {
        ...{ n: owner.namespace, p: owner.pod, u: owner.podUid, d: node, e: expiresAt },
        r: randomBytes(9).toString('base64url'),
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const key = deps.keys.current;
      const token = `${key.id}.${payload}.${deriveToken(key, PURPOSE, [payload])}`;
      note(token, { pending: true, expiresAt });
      return token;
    },
    bind(token, recordingId, expiresAt) {
      const entry = local.get(token);
      if (entry?.pending !== true) return;
      local.set(token, { recordingId, expiresAt: Math.max(entry.expiresAt, expiresAt) });
    },
    revoke(token) {
      const entry = local.get(token);
      if (entry) local.set(token, { revoked: true, expiresAt: entry.expiresAt });
    },
    find(token, recordingId) {
      const claims = verify(token);
      if (!claims) return undefined;
      const entry = local.get(token);
      if (entry?.pending || entry?.revoked) return undefined;
      if (entry === undefined) note(token, { recordingId, expiresAt: claims.e });
      else if (entry.recordingId !== recordingId) return undefined;
      const owner = { namespace: claims.n, pod: claims.p, podUid: claims.u };
      return { owner, node: claims.d, recordingId, expiresAt: claims.e };
    },
    size: () => local.size,
  };
}
