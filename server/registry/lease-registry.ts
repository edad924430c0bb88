// The sidecar registry: who is registered, at which address, until when. Pure: time comes from the
// clock dependency. A registration's two tokens are derived with the replicas' shared key from what
// identifies the sidecar (registration-tokens.ts), so every replica that knows the registration knows
// its tokens, and none stores them. With N replicas this map is each replica's view of the registrations
// in the Kubernetes API (shared-registrations.ts feeds it through `apply`).
import type { SharedKey, SharedKeys } from '../../core/shared-key.ts';
import { identityOf, sameSidecar, type RecorderIdentity } from './recorder-identity.ts';
import { deriveRegistrationTokens, uploadTokenOf } from './registration-tokens.ts';

export type { RecorderIdentity, SidecarAddress, SidecarTls } from './recorder-identity.ts';
export { sameSidecar } from './recorder-identity.ts';

export interface Registration extends RecorderIdentity {
  /** The server presents this to the sidecar, and nothing else does. */
  proxyToken: string;
  /** The sidecar presents this on catalog uploads; it authorizes nothing else. */
  uploadToken: string;
  /** The shared key both tokens were derived with. */
  keyId: string;
  registeredAt: number;
  renewedAt: number;
  expiresAt: number;
}

export type RegisterInput = RecorderIdentity;

/** A registration as the shared store holds it: what identifies the sidecar, the key's id and the times. Never a token. */
export interface StoredRegistration extends RecorderIdentity {
  keyId: string;
  registeredAt: number;
  expiresAt: number;
}

export interface RegistryDeps {
  /** Milliseconds since the epoch. */
  now: () => number;
  keys: SharedKeys;
  leaseSeconds: number;
}

export interface Registry {
  readonly leaseSeconds: number;
  /** Registers or renews; a renewal of the same sidecar (same UID, address and TLS key) keeps its tokens. */
  register(input: RegisterInput): Registration;
  /** Takes a registration from the shared store; undefined when none of this replica's keys made its tokens. */
  apply(stored: StoredRegistration): Registration | undefined;
  get(namespace: string, pod: string): Registration | undefined;
  /** The live registration whose sidecar uploads with this token (made with any accepted key). */
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

function copyOf(registration: Registration): Registration {
  return { ...registration, address: { ...registration.address } };
}

/** A registration of `input` whose tokens `key` derives. */
function made(
  input: RecorderIdentity,
  key: SharedKey,
  times: { registeredAt: number; renewedAt: number; expiresAt: number },
): Registration {
  const identity = identityOf(input);
  return { ...identity, ...deriveRegistrationTokens(key, identity), keyId: key.id, ...times };
}

/** The registrations by pod and by upload token (under every accepted key). */
class RegistrationMap {
  readonly byKey = new Map<string, Registration>();
  readonly #byUploadToken = new Map<string, Registration>();
  readonly #keys: SharedKeys;

  constructor(keys: SharedKeys) {
    this.#keys = keys;
  }

  drop(registration: Registration): void {
    this.byKey.delete(registrationKey(registration.namespace, registration.pod));
    for (const key of this.#keys.all()) this.#byUploadToken.delete(uploadTokenOf(key, registration));
  }

  insert(registration: Registration): Registration {
    const existing = this.byKey.get(registrationKey(registration.namespace, registration.pod));
    if (existing) this.drop(existing);
    this.byKey.set(registrationKey(registration.namespace, registration.pod), registration);
    // Every accepted key's token: an upload begun before a rotation's renewal still finds its sidecar.
    for (const key of this.#keys.all())
      this.#byUploadToken.set(uploadTokenOf(key, registration), registration);
    return copyOf(registration);
  }

  byUploadToken(token: string): Registration | undefined {
    return this.#byUploadToken.get(token);
  }
}

export function createRegistry(deps: RegistryDeps): Registry {
  const map = new RegistrationMap(deps.keys);
  const leaseMs = deps.leaseSeconds * 1000;
  const isLive = (registration: Registration): boolean => registration.expiresAt > deps.now();

  return {
    leaseSeconds: deps.leaseSeconds,
    register(input) {
      const now = deps.now();
      const existing = map.byKey.get(registrationKey(input.namespace, input.pod));
      const current = deps.keys.current;
      if (existing && isLive(existing) && sameSidecar(existing, input) && existing.keyId === current.id) {
        existing.renewedAt = now;
        existing.expiresAt = now + leaseMs;
        return copyOf(existing);
      }
      return map.insert(
        made(input, current, { registeredAt: now, renewedAt: now, expiresAt: now + leaseMs }),
      );
    },
    apply(stored) {
      const key = deps.keys.byId(stored.keyId);
      if (!key) return undefined;
      const { registeredAt, expiresAt } = stored;
      const existing = map.byKey.get(registrationKey(stored.namespace, stored.pod));
      // Another replica's renewal moves only the times: the tokens are the ones held, derived again by no
      // one. With two replicas nearly every watch event is such a renewal, and deriving cost four HMACs.
      if (existing && existing.keyId === key.id && sameSidecar(existing, stored)) {
        Object.assign(existing, { registeredAt, renewedAt: deps.now(), expiresAt });
        return copyOf(existing);
      }
      return map.insert(made(stored, key, { registeredAt, renewedAt: deps.now(), expiresAt }));
    },
    get(namespace, pod) {
      const registration = map.byKey.get(registrationKey(namespace, pod));
      return registration && isLive(registration) ? registration : undefined;
    },
    findByUploadToken(uploadToken) {
      const registration = map.byUploadToken(uploadToken);
      return registration && isLive(registration) ? registration : undefined;
    },
    remove(namespace, pod, podUid) {
      const registration = map.byKey.get(registrationKey(namespace, pod));
      if (!registration) return false;
      if (podUid !== undefined && registration.podUid !== undefined && registration.podUid !== podUid) {
        return false;
      }
      map.drop(registration);
      return true;
    },
    sweep() {
      const expired = [...map.byKey.values()].filter((registration) => !isLive(registration));
      for (const registration of expired) map.drop(registration);
      return expired;
    },
    list() {
      return [...map.byKey.values()].filter(isLive);
    },
    size() {
      return [...map.byKey.values()].filter(isLive).length;
    },
  };
}
