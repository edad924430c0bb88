// The recorder listener's continuous profiling, for node agents: the plan of the agent's node, and the
// upload of a window. An agent proves itself with the upload token of its registration; it is told only
// about pods of its own node, and a window is kept only for pods that run on that node now.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import {
  CONTINUOUS_LIMITS,
  WORKLOAD_PATTERN,
  type ContinuousPlan,
  type ContinuousWindowUpload,
} from '../../core/continuous/continuous-plan.ts';
import { FurnaceError } from '../../core/contract/errors.ts';
import { recorderOf, type RouteGuard } from '../auth/route-guard.ts';
import type { AgentMode } from '../agent/agent-mode.ts';
import type { AgentRegistration } from '../registry/agent-registry.ts';
import type { LeftOutReport } from './left-out-report.ts';
import { planNode, type NodePlan } from './plan-node.ts';
import type { SelectionStore } from './selection-store.ts';
import { windowKey } from './window-keys.ts';
import { windowPprof } from './window-pprof.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import type { WindowStore } from './window-store.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

export interface AgentContinuousDeps {
  agentMode: Pick<AgentMode, 'agents' | 'namespaces' | 'pods'> & Partial<Pick<AgentMode, 'kube'>>;
  selections: SelectionStore;
  windows: WindowStore;
  settings: { frequency: number; windowSeconds: number };
  metrics: { stored: Counter<'node'>; dropped: Counter<'node'> };
  /** Told what each node's plan leaves out (left-out-report.ts). */
  leftOut: LeftOutReport;
}

/** The most one window's upload may carry. */
export const MAX_WINDOW_BYTES = 8 * 1024 * 1024;

const NAME = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' } as const;
const PLAN_BODY = {
  type: 'object',
  required: ['node'],
  properties: { node: NAME },
  additionalProperties: false,
} as const;
const WINDOW_BODY = {
  type: 'object',
  required: ['node', 'start', 'end', 'profiles', 'dropped'],
  properties: {
    node: NAME,
    start: { type: 'integer', minimum: 0 },
    end: { type: 'integer', minimum: 0 },
    dropped: { type: 'integer', minimum: 0 },
    profiles: {
      type: 'array',
      maxItems: CONTINUOUS_LIMITS.maxTargetsPerNode * 16,
      items: {
        type: 'object',
        required: ['namespace', 'pod', 'workload', 'container', 'folded'],
        properties: {
          namespace: NAME,
          pod: NAME,
          workload: { type: 'string', pattern: WORKLOAD_PATTERN },
          container: NAME,
          folded: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

/** The agent a continuous call comes from: the registered agent whose upload token it shows. */
function agentGuard(deps: AgentContinuousDeps): RouteGuard {
  return {
    recorder: 'agent',
    missing: 'continuous profiling needs the agent upload token',
    authenticate(token): AgentRegistration {
      const agent = deps.agentMode.agents.forUploadToken(token);
      if (!agent) throw new FurnaceError('ERR_UNAUTHENTICATED', 'the upload token is no registered agent’s');
      return agent;
    },
  };
}

/** The calling agent, which may act only for its own node (the body names it); 403 otherwise. */
function agentFor(request: FastifyRequest, node: string): AgentRegistration {
  const agent = recorderOf<AgentRegistration>(request);
  if (agent.node !== node)
    throw new FurnaceError('ERR_FORBIDDEN', `the agent of node ${agent.node} may not act for node ${node}`, {
      field: 'node',
    });
  return agent;
}

async function nodePlanOf(deps: AgentContinuousDeps, node: string): Promise<NodePlan> {
  const selections = deps.selections.list();
  const optedIn = new Set<string>();
  for (const namespace of new Set(selections.map((s) => s.namespace)))
    if ((await deps.agentMode.namespaces.check(namespace)).ok) optedIn.add(namespace);
  return planNode({ node, pods: deps.agentMode.pods(), selections, optedIn, settings: deps.settings });
}

async function planOf(deps: AgentContinuousDeps, node: string): Promise<ContinuousPlan> {
  return (await nodePlanOf(deps, node)).plan;
}

async function storeWindow(deps: AgentContinuousDeps, upload: ContinuousWindowUpload): Promise<number> {
  const plan = await planOf(deps, upload.node);
  const selected = new Set(plan.targets.map((t) => `${t.namespace}/${t.pod}`));
  let stored = 0;
  for (const profile of upload.profiles) {
    // A pod that left the node or the selection since the window was cut is dropped, never stored.
    if (!selected.has(`${profile.namespace}/${profile.pod}`) || profile.folded === '') continue;
    const meta = { ...profile, node: upload.node, start: upload.start, end: upload.end };
    const pprof = await windowPprof(parseFolded(profile.folded), meta, plan.frequency);
    await deps.windows.put(windowKey(meta), profile.folded, pprof);
    stored += 1;
  }
  return stored;
}

export function registerAgentContinuousRoutes(app: FastifyInstance, deps: AgentContinuousDeps): void {
  const guard = agentGuard(deps);
  typedRoutes(app).post(
    '/api/v1/agents/continuous',
    { schema: { body: PLAN_BODY }, config: { guard } },
    async (request) => {
      const { node } = request.body;
      agentFor(request, node);
      const { plan, leftOut } = await nodePlanOf(deps, node);
      const kube = deps.agentMode.kube;
      deps.leftOut.report(node, leftOut, kube ? (event) => kube.recordEvent(event) : undefined);
      return plan;
    },
  );
  typedRoutes(app).put(
    '/api/v1/agents/continuous/windows',
    { schema: { body: WINDOW_BODY }, bodyLimit: MAX_WINDOW_BYTES, config: { guard } },
    async (request, reply) => {
      const { body } = request;
      agentFor(request, body.node);
      if (body.end < body.start)
        throw new FurnaceError('ERR_INVALID_PARAMETER', `end (${body.end}) is before start (${body.start})`, {
          field: 'end',
        });
      if (body.dropped > 0) deps.metrics.dropped.inc({ node: body.node }, body.dropped);
      const stored = await storeWindow(deps, body);
      if (stored > 0) deps.metrics.stored.inc({ node: body.node }, stored);
      return reply.code(204).send();
    },
  );
}
