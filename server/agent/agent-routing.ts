// Agent mode: where the proxy sends a request for a pod that has no registered sidecar, and what it tells
// the agent. The server finds the pod itself (namespace opted in, pod running on a node whose agent is
// registered) and writes the scope (pod UID, containers with their runtime IDs and images) from the Pod
// object; nothing of the caller's request goes into it. Also lists the pods agents can profile.
import type { V1Pod } from '@kubernetes/client-node';
import type { AgentScope, ScopeContainer } from '../../core/contract/agent-scope.ts';
import { FurnaceError } from '../../core/contract/errors.ts';
import { isOptOutValue, POD_OPT_IN_KEY } from '../../core/contract/names.ts';
import type { NamespaceOptIn } from '../kube/namespace-opt-in.ts';
import type { AgentRegistration, AgentRegistry } from '../registry/agent-registry.ts';
import type { Registration } from '../registry/lease-registry.ts';

export interface AgentTarget {
  /** The agent's address, TLS pin and proxy token, under the target pod's name (audit, events, slots). */
  upstream: Registration;
  scope: AgentScope;
  node: string;
}

/** A pod agents can profile, for the sidecar list. */
export interface AgentPod {
  namespace: string;
  pod: string;
  podUid: string;
  node: string;
  agent: AgentRegistration;
}

export interface AgentRouting {
  /** The agent and scope for a pod; ERR_NOT_REGISTERED (404) naming why there is none. */
  resolve(namespace: string, pod: string, fresh: boolean): Promise<AgentTarget>;
  /** Running pods of opted-in namespaces on nodes with an agent, from the pod watch. */
  listPods(): Promise<AgentPod[]>;
}

export interface AgentRoutingDeps {
  agents: AgentRegistry;
  namespaces: NamespaceOptIn;
  readPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  /** Pods as the pod watch last saw them (slimmed); none without a watch. */
  cachedPod(namespace: string, name: string): V1Pod | undefined;
  cachedPods(): readonly V1Pod[];
}

/** The pod's containers that have a runtime ID, with their spec images. Pure. */
export function scopeContainers(pod: V1Pod): ScopeContainer[] {
  const images = new Map(
    [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => [
      c.name,
      c.image ?? '',
    ]),
  );
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.flatMap((status) => {
    const id = /^[a-z0-9-]+:\/\/([0-9a-f]{64})$/.exec(status.containerID ?? '')?.[1];
    return id === undefined ? [] : [{ name: status.name, id, image: images.get(status.name) ?? '' }];
  });
}

/** Why a pod cannot be recorded by an agent, or undefined when it can. Pure. */
export function podRefusal(pod: V1Pod | undefined, name: string): string | undefined {
  if (!pod) return `pod ${name} does not exist`;
  if (pod.metadata?.deletionTimestamp) return `pod ${name} is being deleted`;
  if (pod.status?.phase !== 'Running')
    return `pod ${name} is not running (phase ${pod.status?.phase ?? 'unknown'})`;
  if (!pod.spec?.nodeName) return `pod ${name} is not scheduled on a node`;
  if (!pod.metadata?.uid) return `pod ${name} has no UID`;
  return optOutRefusal(pod, name);
}

/** A pod labelled or annotated `furnace` with an opt-out value is never recorded, by a sidecar or an agent. */
function optOutRefusal(pod: V1Pod, name: string): string | undefined {
  for (const [where, values] of [
    ['label', pod.metadata?.labels],
    ['annotation', pod.metadata?.annotations],
  ] as const) {
    const value = values?.[POD_OPT_IN_KEY];
    if (isOptOutValue(value))
      return `pod ${name} opted out of Furnace (${where} ${POD_OPT_IN_KEY}: "${value}")`;
  }
  return undefined;
}

function notRecordable(namespace: string, pod: string, why: string): FurnaceError {
  return new FurnaceError(
    'ERR_NOT_REGISTERED',
    `no sidecar is registered for pod ${namespace}/${pod}, and no agent can record it: ${why}`,
    { namespace, pod },
  );
}

function upstreamOf(agent: AgentRegistration, namespace: string, pod: string, podUid: string): Registration {
  return { ...agent, namespace, pod, podUid, address: { ...agent.address } };
}

/** The pod as its node's agent would record it; undefined when it cannot (the namespace aside). Pure. */
function agentPodOf(pod: V1Pod, agents: ReadonlyMap<string, AgentRegistration>): AgentPod | undefined {
  const name = pod.metadata?.name ?? '';
  const agent = agents.get(pod.spec?.nodeName ?? '');
  if (!agent || podRefusal(pod, name) !== undefined) return undefined;
  const namespace = pod.metadata?.namespace ?? '';
  return { namespace, pod: name, podUid: pod.metadata?.uid ?? '', node: agent.node, agent };
}

export function createAgentRouting(deps: AgentRoutingDeps): AgentRouting {
  async function findPod(namespace: string, name: string, fresh: boolean): Promise<V1Pod | undefined> {
    const cached = fresh ? undefined : deps.cachedPod(namespace, name);
    return cached ?? deps.readPod(namespace, name);
  }

  return {
    async resolve(namespace, name, fresh) {
      const optIn = await deps.namespaces.check(namespace);
      if (!optIn.ok) throw notRecordable(namespace, name, optIn.reason);
      const pod = await findPod(namespace, name, fresh);
      const refusal = podRefusal(pod, `${namespace}/${name}`);
      if (refusal !== undefined || !pod) throw notRecordable(namespace, name, refusal ?? 'no pod');
      const node = pod.spec?.nodeName ?? '';
      const agent = deps.agents.forNode(node);
      if (!agent) throw notRecordable(namespace, name, `no agent is registered for node ${node}`);
      const podUid = pod.metadata?.uid ?? '';
      return {
        upstream: upstreamOf(agent, namespace, name, podUid),
        scope: { namespace, pod: name, podUid, containers: scopeContainers(pod) },
        node,
      };
    },
    async listPods() {
      const agents = new Map(deps.agents.list().map((a) => [a.node, a]));
      if (agents.size === 0) return [];
      const found: AgentPod[] = [];
      const optedIn = new Map<string, boolean>();
      for (const pod of deps.cachedPods()) {
        const candidate = agentPodOf(pod, agents);
        if (!candidate) continue;
        const { namespace } = candidate;
        if (!optedIn.has(namespace)) optedIn.set(namespace, (await deps.namespaces.check(namespace)).ok);
        if (optedIn.get(namespace) === true) found.push(candidate);
      }
      return found;
    },
  };
}
