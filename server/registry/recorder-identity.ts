// What identifies a registered recorder: the pod, its UID, the address the proxy calls and the pin of
// the key it serves with. Two registrations with the same identity are the same sidecar (a renewal);
// the registration's tokens are derived from it (registration-tokens.ts). Pure.

export interface SidecarAddress {
  host: string;
  port: number;
}

/** The sidecar's HTTPS port (on the address's host) and the pin of its serving key (core/tls-pin.ts). */
export interface SidecarTls {
  port: number;
  pin: string;
}

/** A registered recorder: a sidecar, or (keyed by its node) an agent. */
export interface RecorderIdentity {
  namespace: string;
  pod: string;
  /** Pod UID from the token (kubernetes mode); absent in local mode. */
  podUid?: string;
  address: SidecarAddress;
  /** When set, the proxy reaches the sidecar only over TLS with this key. */
  tls?: SidecarTls;
}

/** The same sidecar: same pod UID, address and serving key (a restarted sidecar has a new key). */
export function sameSidecar(existing: RecorderIdentity, input: RecorderIdentity): boolean {
  return (
    existing.podUid === input.podUid &&
    existing.address.host === input.address.host &&
    existing.address.port === input.address.port &&
    existing.tls?.port === input.tls?.port &&
    existing.tls?.pin === input.tls?.pin
  );
}

/** A copy of what identifies the recorder, without anything else the input carries. */
export function identityOf(input: RecorderIdentity): RecorderIdentity {
  const identity: RecorderIdentity = {
    namespace: input.namespace,
    pod: input.pod,
    address: { host: input.address.host, port: input.address.port },
  };
  if (input.podUid !== undefined) identity.podUid = input.podUid;
  if (input.tls !== undefined) identity.tls = { port: input.tls.port, pin: input.tls.pin };
  return identity;
}
