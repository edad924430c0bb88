// Upload grants for node agents: an agent records many pods, so no registration token can say whose
// recording an upload is. The proxy grants one token per start it forwards to an agent, for that pod, and
// binds it to the recording id the agent answers with; the catalog then accepts uploads with the token for
// that recording only, in that pod's name, while the agent of the node stays registered. Pure.

export interface GrantOwner {
  namespace: string;
  pod: string;
  podUid: string;
}

export interface UploadGrant {
  owner: GrantOwner;
  node: string;
  /** Set when the agent's start answer names the recording. */
  recordingId?: string;
  expiresAt: number;
}

export interface UploadGrants {
  /** A new token for a start forwarded to the agent of `node`, valid until `expiresAt` unless bound earlier. */
  grant(owner: GrantOwner, node: string, expiresAt: number): string;
  /** Ties the token to the recording the start made, for `expiresAt` from now on. */
  bind(token: string, recordingId: string, expiresAt: number): void;
  /** Forgets a grant whose start failed. */
  revoke(token: string): void;
  /** The grant of a token for this recording id, or undefined (unknown, expired, unbound or another id). */
  find(token: string, recordingId: string): UploadGrant | undefined;
  size(): number;
}

/** Grants in flight at most: each is a start in progress or a recording being uploaded. */
const MAX_GRANTS = 100_000;

export function createUploadGrants(deps: { now: () => number; newToken: () => string }): UploadGrants {
  const grants = new Map<string, UploadGrant>();

  function sweep(): void {
    const now = deps.now();
    for (const [token, grant] of grants) if (grant.expiresAt <= now) grants.delete(token);
  }

  return {
    grant(owner, node, expiresAt) {
      if (grants.size >= MAX_GRANTS) sweep();
      const token = deps.newToken();
      grants.set(token, { owner: { ...owner }, node, expiresAt });
      return token;
    },
    bind(token, recordingId, expiresAt) {
      const grant = grants.get(token);
      if (grant === undefined || grant.recordingId !== undefined) return;
      grant.recordingId = recordingId;
      grant.expiresAt = expiresAt;
    },
    revoke(token) {
      grants.delete(token);
    },
    find(token, recordingId) {
      const grant = grants.get(token);
      if (grant === undefined || grant.expiresAt <= deps.now()) return undefined;
      return grant.recordingId === recordingId ? grant : undefined;
    },
    size: () => grants.size,
  };
}
