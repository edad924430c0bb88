// Node agents by node: at most one per node, with the lease, tokens and TLS pin semantics of the sidecar
// registry (lease-registry.ts), which it uses underneath keyed by node name. Pure.
import {
  createRegistry,
  type Registration,
  type RegistryDeps,
  type SidecarAddress,
  type SidecarTls,
} from './lease-registry.ts';

/** An agent's registration: the node it serves and its own pod (in Furnace's namespace). */
export interface AgentRegistration extends Registration {
  node: string;
}

export interface AgentRegisterInput {
  node: string;
  /** The agent's own pod. */
  namespace: string;
  pod: string;
  podUid: string;
  address: SidecarAddress;
  tls: SidecarTls;
}

/** An agent's registration as the shared store holds it (never a token). */
export interface StoredAgentRegistration extends AgentRegisterInput {
  keyId: string;
  registeredAt: number;
  expiresAt: number;
}

export interface AgentRegistry {
  readonly leaseSeconds: number;
  /** Registers or renews the agent of a node; a new agent pod on the node replaces the old one. */
  register(input: AgentRegisterInput): AgentRegistration;
  /** Takes an agent's registration from the shared store; undefined when its key is not accepted here. */
  apply(stored: StoredAgentRegistration): AgentRegistration | undefined;
  forNode(node: string): AgentRegistration | undefined;
  /** The live agent that uploads with this token. */
  forUploadToken(token: string): AgentRegistration | undefined;
  list(): AgentRegistration[];
  /** Forgets the agent whose pod was deleted (the pod watch calls it for every deleted pod). */
  removePod(namespace: string, pod: string, podUid: string | undefined): boolean;
  /** Forgets the agent of a node (its registration left the shared store). */
  removeNode(node: string): boolean;
  sweep(): AgentRegistration[];
}

/** The underlying registry's namespace for agents: no Kubernetes namespace can be named so. */
const NODES = ' nodes';

type AgentPod = { namespace: string; pod: string; podUid: string };

export function createAgentRegistry(deps: RegistryDeps): AgentRegistry {
  const inner = createRegistry(deps);
  const pods = new Map<string, AgentPod>();

  function view(registration: Registration | undefined): AgentRegistration | undefined {
    const agent = registration && pods.get(registration.pod);
    if (!registration || !agent) return undefined;
    return { ...registration, ...agent, node: registration.pod };
  }

  /** Notes the node's agent pod; another pod on the node (a replaced DaemonSet pod) is another agent. */
  function notePod(node: string, agent: AgentPod): void {
    const known = pods.get(node);
    if (known && known.podUid !== agent.podUid) inner.remove(NODES, node);
    pods.set(node, agent);
  }

  return {
    leaseSeconds: deps.leaseSeconds,
    register(input) {
      notePod(input.node, { namespace: input.namespace, pod: input.pod, podUid: input.podUid });
      const { address, tls, podUid } = input;
      const registration = inner.register({ namespace: NODES, pod: input.node, podUid, address, tls });
      return { ...registration, namespace: input.namespace, pod: input.pod, node: input.node };
    },
    apply(stored) {
      const { node, namespace, pod, podUid, address, tls, keyId, registeredAt, expiresAt } = stored;
      notePod(node, { namespace, pod, podUid });
      const registration = inner.apply({
        ...{ namespace: NODES, pod: node, podUid, address, tls },
        ...{ keyId, registeredAt, expiresAt },
      });
      return registration && { ...registration, namespace, pod, node };
    },
    forNode: (node) => view(inner.get(NODES, node)),
    forUploadToken(token) {
      const found = inner.findByUploadToken(token);
      return found?.namespace === NODES ? view(found) : undefined;
    },
    list: () => inner.list().flatMap((r) => view(r) ?? []),
    removePod(namespace, pod, podUid) {
      for (const [node, agent] of pods) {
        if (agent.namespace !== namespace || agent.pod !== pod) continue;
        if (podUid !== undefined && agent.podUid !== podUid) continue;
        pods.delete(node);
        return inner.remove(NODES, node);
      }
      return false;
    },
    removeNode(node) {
      pods.delete(node);
      return inner.remove(NODES, node);
    },
    sweep() {
      return inner.sweep().flatMap((r) => {
        const agent = view(r);
        pods.delete(r.pod);
        return agent ?? [];
      });
    },
  };
}
