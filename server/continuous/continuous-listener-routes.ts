// Continuous profiling's routes: selections, stacks and the timeline on the user listener; on the
// recorder listener (with agent mode, which records the windows) the agents' plans and window uploads.
import type { AgentMode } from '../agent/agent-mode.ts';
import type { ListenerRoutes } from '../listeners/listener-routes.ts';
import { registerAgentContinuousRoutes } from './agent-continuous-routes.ts';
import type { ContinuousMode } from './continuous-mode.ts';
import { registerContinuousUserRoutes } from './continuous-routes.ts';
import { registerTimelineRoutes } from './timeline-route.ts';

export function continuousRoutes(
  continuous: ContinuousMode,
  agentMode: AgentMode | undefined,
  now: () => number,
): ListenerRoutes {
  return {
    user(scope) {
      registerContinuousUserRoutes(scope, { ...continuous, now });
      registerTimelineRoutes(scope, continuous);
    },
    ...(agentMode
      ? { recorder: (scope) => registerAgentContinuousRoutes(scope, { ...continuous, agentMode }) }
      : {}),
  };
}
