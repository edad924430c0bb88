// Agent mode's parts over one set of dependencies: the registry of node agents, the upload grants, the
// routing of pods without a sidecar, and the catalog's check of an agent's upload. main.ts builds it when
// `agent.enabled` is set (a cluster); its module (server/modules/) adds its routes to the two listeners.
import type { V1Pod } from '@kubernetes/client-node';
import { createAgentRouting, type AgentRouting } from './agent-routing.ts';
import type { AgentSettings } from '../config/config-agent.ts';
import type { RecordingOwner } from '../catalog/catalog-store.ts';
import type { AgentPolicy } from '../kube/agent-identity.ts';
import type { KubeGateway } from '../kube/kube-gateway.ts';
import { createNamespaceOptIn, type NamespaceOptIn } from '../kube/namespace-opt-in.ts';
import type { TokenCache } from '../kube/token-cache.ts';
import { createAgentRegistry, type AgentRegistry } from '../registry/agent-registry.ts';
import { createUploadGrants, type UploadGrants } from '../registry/upload-grants.ts';
import type { SharedKeys } from '../../core/shared-key.ts';

export interface AgentMode {
  agents: AgentRegistry;
  grants: UploadGrants;
  routing: AgentRouting;
  /** Which namespaces are opted in (cached briefly). */
  namespaces: NamespaceOptIn;
  /** The pod watch's pods (slimmed); empty without a watch. */
  pods: () => readonly V1Pod[];
  policy: AgentPolicy;
  /** The agents' HTTPS port. */
  port: number;
  kube: KubeGateway;
  tokens?: TokenCache;
  /** The pod a grant was made for, while the grant is this recording's and its node's agent is registered. */
  uploaderOf: (token: string, recordingId: string) => RecordingOwner | undefined;
}

export interface AgentModeDeps {
  settings: AgentSettings;
  kube: KubeGateway;
  now: () => number;
  /** The replicas' shared key: agents' tokens and upload grants are derived with it. */
  keys: SharedKeys;
  leaseSeconds: number;
  tokens?: TokenCache;
  /** The pod watch's view (main.ts); without it every lookup reads the Pod and the list is empty. */
  cachedPod?: (namespace: string, name: string) => V1Pod | undefined;
  cachedPods?: () => readonly V1Pod[];
  /** The registry of node agents, when made before the mode (the server's: the pod watch removes from it). */
  agents?: AgentRegistry;
}

export function createAgentMode(deps: AgentModeDeps): AgentMode {
  const { kube, now, settings } = deps;
  // Without a pod watch every lookup reads the Pod, and the list of pods is empty.
  const { cachedPod = () => undefined, cachedPods = () => [] } = deps;
  const agents =
    deps.agents ?? createAgentRegistry({ now, keys: deps.keys, leaseSeconds: deps.leaseSeconds });
  const grants = createUploadGrants({ now, keys: deps.keys });
  const namespaces = createNamespaceOptIn({ now, read: (name) => kube.readNamespace(name) });
  const routing = createAgentRouting({
    agents,
    namespaces,
    readPod: (namespace, name) => kube.readPod(namespace, name),
    cachedPod,
    cachedPods,
  });
  return {
    agents,
    grants,
    routing,
    namespaces,
    pods: cachedPods,
    policy: { namespace: settings.namespace, serviceAccount: settings.serviceAccount },
    port: settings.port,
    kube,
    ...(deps.tokens ? { tokens: deps.tokens } : {}),
    uploaderOf: (token, recordingId) => {
      const grant = grants.find(token, recordingId);
      return grant && agents.forNode(grant.node) ? { ...grant.owner } : undefined;
    },
  };
}
