// POST /api/v1/agents (recorder listener): a node agent registers or renews its lease. The token is the
// agent's own projected service-account token (audience `furnace`): TokenReview says which account and
// which pod; the account must be the configured agent account of Furnace's namespace and the pod must run
// on the node the body claims (kube/agent-identity.ts). The address is the agent pod's IP from the Pod
// object and the port the configured one; the API is reached only over TLS with the key pinned here.
import type { FastifyInstance } from 'fastify';
import { recorderOf, type RouteGuard } from '../auth/route-guard.ts';
import { TOKEN_AUDIENCE } from '../../core/contract/names.ts';
import { TLS_PIN_PATTERN } from '../../core/tls-pin.ts';
import { agentPodFromReview, checkAgentPod, type AgentPolicy } from '../kube/agent-identity.ts';
import type { TokenPod } from '../kube/pod-identity.ts';
import type { KubeGateway } from '../kube/kube-gateway.ts';
import { createTokenCache, type TokenCache } from '../kube/token-cache.ts';
import type { AgentRegisterInput, AgentRegistration, AgentRegistry } from '../registry/agent-registry.ts';
import { REGISTRATION_RESPONSE_SCHEMA, refuse } from '../registry/sidecar-registration.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

export interface AgentRegistrationDeps {
  agents: AgentRegistry;
  kube: KubeGateway;
  policy: AgentPolicy;
  /** The agents' HTTPS port (`agent.port`); a body cannot point the proxy at another port. */
  port: number;
  tokens?: TokenCache;
  now: () => number;
  /** N replicas: stores the registration in the shared Leases (registry/shared-registrations.ts). */
  write?: (input: AgentRegisterInput) => Promise<AgentRegistration>;
}

const bodySchema = {
  type: 'object',
  required: ['node', 'tlsPort', 'tlsPin'],
  properties: {
    node: { type: 'string', minLength: 1, maxLength: 253 },
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    tlsPort: { type: 'integer', minimum: 1, maximum: 65535 },
    tlsPin: { type: 'string', pattern: TLS_PIN_PATTERN },
  },
  additionalProperties: false,
} as const;

export function registerAgentRoutes(app: FastifyInstance, deps: AgentRegistrationDeps): void {
  const reviews = deps.tokens ?? createTokenCache({ now: deps.now });
  const guard: RouteGuard = {
    recorder: 'agent',
    missing: 'agent registration needs Authorization: Bearer <token>',
    async authenticate(token, request): Promise<TokenPod> {
      const review = await reviews.review(token, (t) => deps.kube.reviewToken(t, [TOKEN_AUDIENCE]), {
        client: request.ip,
        scope: TOKEN_AUDIENCE,
        listener: 'recorder',
      });
      const fromToken = agentPodFromReview(review, deps.policy);
      if (!fromToken.ok) throw refuse(fromToken, 'agent registration');
      return fromToken.pod;
    },
  };
  typedRoutes(app).post(
    '/api/v1/agents',
    { schema: { body: bodySchema, response: REGISTRATION_RESPONSE_SCHEMA }, config: { guard } },
    async (request) => {
      const fromToken = recorderOf<TokenPod>(request);
      const { namespace, pod, podUid } = fromToken;
      const found = await deps.kube.readPod(namespace, pod);
      const checked = checkAgentPod(fromToken, found, request.body.node, deps.policy);
      if (!checked.ok) throw refuse(checked, 'agent registration');
      const before = deps.agents.forNode(request.body.node);
      const input: AgentRegisterInput = {
        node: request.body.node,
        namespace,
        pod,
        podUid,
        address: { host: checked.podIp, port: deps.port },
        tls: { port: deps.port, pin: request.body.tlsPin },
      };
      const registration = deps.write ? await deps.write(input) : deps.agents.register(input);
      if (before?.proxyToken !== registration.proxyToken)
        request.log.info({ node: registration.node, pod: `${namespace}/${pod}` }, 'agent registered');
      return {
        leaseSeconds: deps.agents.leaseSeconds,
        proxyToken: registration.proxyToken,
        uploadToken: registration.uploadToken,
      };
    },
  );
}
