// Where a proxied request goes: the port the proxy asks, with its adapter chosen once at start-up. A
// pod's registered sidecar; with agent mode, else the agent of the pod's node, with a scope the server
// writes and, for a start, an upload grant that the answer binds to the recording (or that is revoked).
import type { AgentScope } from '../../core/contract/agent-scope.ts';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { AgentRouting } from '../agent/agent-routing.ts';
import type { Registration, Registry } from '../registry/lease-registry.ts';
import type { GrantOwner, UploadGrants } from '../registry/upload-grants.ts';

/** A start's upload grant: bound to the recording by the recorder's answer, revoked when none came. */
export interface StartGrant {
  readonly token: string;
  bind(recordingId: string, expiresAt: number): void;
  revoke(): void;
}

export interface Upstream {
  registration: Registration;
  /** Agent mode: what the agent may touch, written by the server only (agent-routing.ts). */
  scope?: AgentScope;
  /** Agent mode: the grant of a start's uploads, for the pod, until `expiresAt`. */
  grantFor?: (owner: GrantOwner, expiresAt: number) => StartGrant;
}

export interface UpstreamResolver {
  /** A registered sidecar is answered at once, not through a promise (the common case: a status poll). */
  resolve(namespace: string, pod: string, fresh: boolean): Upstream | Promise<Upstream>;
}

function notRegistered(namespace: string, pod: string): FurnaceError {
  return new FurnaceError('ERR_NOT_REGISTERED', `no sidecar is registered for pod ${namespace}/${pod}`, {
    namespace,
    pod,
  });
}

/** Sidecars only. */
export function sidecarUpstreams(registry: Registry): UpstreamResolver {
  return {
    resolve(namespace, pod) {
      const registration = registry.get(namespace, pod);
      if (registration) return { registration };
      return Promise.reject(notRegistered(namespace, pod));
    },
  };
}

/** A registered sidecar, else the agent of the pod's node (agent mode). */
export function sidecarThenAgentUpstreams(
  registry: Registry,
  agents: { routing: AgentRouting; grants: UploadGrants },
): UpstreamResolver {
  const viaAgent = async (namespace: string, pod: string, fresh: boolean): Promise<Upstream> => {
    const target = await agents.routing.resolve(namespace, pod, fresh);
    return {
      registration: target.upstream,
      scope: target.scope,
      grantFor: (owner, expiresAt) => {
        const token = agents.grants.grant(owner, target.node, expiresAt);
        return {
          token,
          bind: (recordingId, until) => agents.grants.bind(token, recordingId, until),
          revoke: () => agents.grants.revoke(token),
        };
      },
    };
  };
  return {
    resolve(namespace, pod, fresh) {
      const registration = registry.get(namespace, pod);
      return registration ? { registration } : viaAgent(namespace, pod, fresh);
    },
  };
}
