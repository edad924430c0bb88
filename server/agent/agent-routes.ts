// Agent mode's routes on the recorder listener: node agents register and renew there.
import type { ListenerRoutes } from '../listeners/listener-routes.ts';
import type { AgentRegisterInput, AgentRegistration } from '../registry/agent-registry.ts';
import type { AgentMode } from './agent-mode.ts';
import { registerAgentRoutes } from './agent-registration.ts';

export interface AgentRouteParts {
  agentMode: AgentMode;
  now: () => number;
  /** Stores a registration: the agents' registry, or (several replicas) the shared Leases. */
  write: ((input: AgentRegisterInput) => Promise<AgentRegistration>) | undefined;
}

export function agentRoutes({ agentMode, now, write }: AgentRouteParts): ListenerRoutes {
  return {
    recorder: (scope) => registerAgentRoutes(scope, { ...agentMode, now, ...(write ? { write } : {}) }),
  };
}
