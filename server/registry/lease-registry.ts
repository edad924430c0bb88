// The sidecar registry: who is registered, at which address, until when, with which tokens.
// Pure: time comes from the clock dependency and tokens from the token dependency.

export interface SidecarAddress {
  host: string;
  port: number;
}

/** The sidecar's HTTPS port (on the address's host) and the pin of its serving key (core/tls-pin.ts). */
export interface SidecarTls {
  port: number;
  pin: string;
}

export interface Registration {
  namespace: string;
  pod: string;
  /** Pod UID from the token (kubernetes mode); absent in local mode. */
  podUid?: string;
  address: SidecarAddress;
  /** When set, the proxy reaches the sidecar only over TLS with this key. */
  tls?: SidecarTls;
  /** The server presents this to the sidecar, and nothing else does. */
  proxyToken: string;
  /** The sidecar presents this on catalog uploads; it authorizes nothing else. */
  uploadToken: string;
  registeredAt: number;
  renewedAt: number;
  expiresAt: number;
}

export interface RegisterInput {
  namespace: string;
  pod: string;
  podUid?: string;
  address: SidecarAddress;
  tls?: SidecarTls;
}

export interface RegistryDeps {
  /** Milliseconds since the epoch. */
  now: () => number;
  newToken: () => string;
  leaseSeconds: number;
}

export interface Registry {
  readonly leaseSeconds: number;
  /** Registers or renews; a renewal of the same sidecar (same UID, address and TLS key) keeps its tokens. */
  register(input: RegisterInput): Registration;
  get(namespace: string, pod: string): Registration | undefined;
  /** The live registration whose sidecar uploads with this token. */
  findByUploadToken(uploadToken: string): Registration | undefined;
  /** Removes the pod's registration; with a UID, only if it is that pod. */
  remove(namespace: string, pod: string, podUid?: string): boolean;
  /** Drops expired leases and returns them. */
  sweep(): Registration[];
  list(): Registration[];
  size(): number;
}

export function registrationKey(namespace: string, pod: string): string {
  return `${namespace}/${pod}`;
}

function sameSidecar(existing: Registration, input: RegisterInput): boolean {
  return (
    existing.podUid === input.podUid &&
    existing.address.host === input.address.host &&
    existing.address.port === input.address.port &&
    existing.tls?.port === input.tls?.port &&
    existing.tls?.pin === input.tls?.pin
  );
}

/** A first registration (or one of another sidecar): new tokens, a lease from `now`. */
function newRegistration(input: RegisterInput, deps: RegistryDeps, now: number): Registration {
  const registration: Registration = {
    namespace: input.namespace,
    pod: input.pod,
    address: { ...input.address },
    proxyToken: deps.newToken(),
    uploadToken: deps.newToken(),
    registeredAt: now,
    renewedAt: now,
    expiresAt: now + deps.leaseSeconds * 1000,
  };
  if (input.podUid !== undefined) registration.podUid = input.podUid;
  if (input.tls !== undefined) registration.tls = { ...input.tls };
  return registration;
}

export function createRegistry(deps: RegistryDeps): Registry {
  const byKey = new Map<string, Registration>();
  const byUploadToken = new Map<string, Registration>();
  const leaseMs = deps.leaseSeconds * 1000;

  function drop(registration: Registration): void {
    byKey.delete(registrationKey(registration.namespace, registration.pod));
    byUploadToken.delete(registration.uploadToken);
  }

  function isLive(registration: Registration): boolean {
    return registration.expiresAt > deps.now();
  }

  return {
    leaseSeconds: deps.leaseSeconds,
    register(input) {
      const now = deps.now();
      const key = registrationKey(input.namespace, input.pod);
      const existing = byKey.get(key);
      if (existing && isLive(existing) && sameSidecar(existing, input)) {
        existing.renewedAt = now;
        existing.expiresAt = now + leaseMs;
        return { ...existing, address: { ...existing.address } };
      }
      if (existing) drop(existing);
      const registration = newRegistration(input, deps, now);
      byKey.set(key, registration);
      byUploadToken.set(registration.uploadToken, registration);
      return { ...registration, address: { ...registration.address } };
    },
    get(namespace, pod) {
      const registration = byKey.get(registrationKey(namespace, pod));
      return registration && isLive(registration) ? registration : undefined;
    },
    findByUploadToken(uploadToken) {
      const registration = byUploadToken.get(uploadToken);
      return registration && isLive(registration) ? registration : undefined;
    },
    remove(namespace, pod, podUid) {
      const registration = byKey.get(registrationKey(namespace, pod));
      if (!registration) return false;
      if (podUid !== undefined && registration.podUid !== undefined && registration.podUid !== podUid) {
        return false;
      }
      drop(registration);
      return true;
    },
    sweep() {
      const expired = [...byKey.values()].filter((registration) => !isLive(registration));
      for (const registration of expired) drop(registration);
      return expired;
    },
    list() {
      return [...byKey.values()].filter(isLive);
    },
    size() {
      return [...byKey.values()].filter(isLive).length;
    },
  };
}
