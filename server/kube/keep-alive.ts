// @kubernetes/client-node 1.x builds a new https.Agent for every request, so every TokenReview,
// SubjectAccessReview and Pod read pays a fresh TLS handshake. With thousands of sidecars that
// handshake dominates the server's CPU. This gives one KubeConfig instance a shared keep-alive agent.
//
// The agent has no socket cap: client-node reads bodies through node-fetch, which reports a false
// "Premature close" when a request waits in the agent's queue for a kept-alive socket (node-fetch issue
// 1767); with a cap, thousands of sidecars registering at once made most registrations fail that way.
// Without one, a request takes an idle socket or opens a new one and never queues.
import { Agent, type AgentOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentFactory = (cluster: unknown, options: AgentOptions) => unknown;

export function reuseConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, unknown>();
  target.createAgent = (cluster, options) => {
    const server = (cluster as { server?: string; proxyUrl?: string } | undefined) ?? {};
    // Proxies and plain HTTP keep the library's own agents.
    if (server.proxyUrl || !server.server?.startsWith('https:')) return original(cluster, options);
    let agent = agents.get(server.server);
    if (!agent) {
      agent = new Agent({ ...options, keepAlive: true, maxSockets: Infinity });
      agents.set(server.server, agent);
    }
    return agent;
  };
  return kc;
}
