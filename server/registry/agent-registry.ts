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

export interface AgentRegistry {
  readonly leaseSeconds: number;
  /** Registers or renews the agent of a node; a new agent pod on the node replaces the old one. */
  register(input: AgentRegisterInput): AgentRegistration;
  forNode(node: string): AgentRegistration | undefined;
  list(): AgentRegistration[];
  /** Forgets the agent whose pod was deleted (the pod watch calls it for every deleted pod). */
  removePod(namespace: string, pod: string, podUid: string | undefined): boolean;
  sweep(): AgentRegistration[];
}

/** The underlying registry's namespace for agents: no Kubernetes namespace can be named so. */
const NODES = ' nodes';

export function createAgentRegistry(deps: RegistryDeps): AgentRegistry {
  const inner = createRegistry(deps);
  const pods = new Map<string, { namespace: string; pod: string; podUid: string }>();

  function view(registration: Registration | undefined): AgentRegistration | undefined {
    const agent = registration && pods.get(registration.pod);
    if (!registration || !agent) return undefined;
    return { ...registration, ...agent, node: registration.pod };
  }

  return {
    leaseSeconds: deps.leaseSeconds,
    register(input) {
      const known = pods.get(input.node);
      // Another pod on the node (a replaced DaemonSet pod) is another agent: new tokens.
      if (known && known.podUid !== input.podUid) inner.remove(NODES, input.node);
      pods.set(input.node, { namespace: input.namespace, pod: input.pod, podUid: input.podUid });
      const registration = inner.register({
        namespace: NODES,
        pod: input.node,
        podUid: input.podUid,
        address: input.address,
        tls: input.tls,
      });
      return { ...registration, namespace: input.namespace, pod: input.pod, node: input.node };
    },
    forNode: (node) => view(inner.get(NODES, node)),
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
    sweep() {
      return inner.sweep().flatMap((r) => {
        const agent = view(r);
        pods.delete(r.pod);
        return agent ?? [];
      });
    },
  };
}
