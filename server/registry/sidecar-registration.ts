// POST /api/v1/sidecars: a sidecar registers or renews its lease.
// Kubernetes mode: the pod comes from a pod-bound token (TokenReview, audience `furnace`) and its
// address from the Pod object, which must look as the webhook injected it (pod-identity.ts) in an
// opted-in namespace. Local mode: a shared secret, namespace `local`, pod = hostname.
// The answer carries the proxy token (server → sidecar) and a separate upload token (sidecar → catalog).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { FurnaceError, type ErrorCode } from '../../core/contract/errors.ts';
import {
  LOCAL_NAMESPACE,
  SIDECAR_PORT,
  SIDECAR_TLS_PORT,
  TOKEN_AUDIENCE,
} from '../../core/contract/names.ts';
import { TLS_PIN_PATTERN } from '../../core/tls-pin.ts';
import { sameSecret } from '../../core/contract/http-errors.ts';
import { recorderOf, type RouteGuard } from '../auth/route-guard.ts';
import type { KubeGateway } from '../kube/kube-gateway.ts';
import { createNamespaceOptIn } from '../kube/namespace-opt-in.ts';
import { checkPod, podFromReview, type Refusal } from '../kube/pod-identity.ts';
import {
  MAX_TICKET_LENGTH,
  openReviewTicket,
  sealReviewTicket,
  TICKET_PATTERN,
  type VouchedReview,
} from '../kube/review-tickets.ts';
import { createTokenCache, hashToken, type RefreshWindow, type TokenCache } from '../kube/token-cache.ts';
import type { SharedKeys } from '../../core/shared-key.ts';
import type { Registration, Registry, RegisterInput, SidecarTls } from './lease-registry.ts';
import { registrationKey } from './lease-registry.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

export type RegistrationMode =
  | {
      kind: 'kubernetes';
      kube: KubeGateway;
      /** Images the furnace container may run: the webhook's injection image first (config.ts). */
      sidecarImages: readonly string[];
      /** What the webhook injects; a registering pod's furnace container must be exactly that (pod-identity.ts). */
      injection: InjectionConfig;
      /** TokenReview cache shared with user auth (main.ts), so the pod watch can drop a pod's reviews. */
      tokens?: TokenCache;
      /** Defaults to SIDECAR_PORT; tests point it at a stand-in sidecar. */
      sidecarPort?: number;
      /** Defaults to SIDECAR_TLS_PORT, used when the sidecar registers a TLS key. */
      sidecarTlsPort?: number;
      /** Pods as the pod watch last saw them; a miss or a stale entry falls back to reading the Pod. */
      cachedPod?: (namespace: string, name: string) => V1Pod | undefined;
      /** N replicas: reviews travel between them as tickets signed with these keys (review-tickets.ts). */
      reviewTickets?: SharedKeys;
    }
  | { kind: 'local'; secret: string; hostname: string };

export interface RegistrationDeps {
  registry: Registry;
  mode: RegistrationMode;
  now: () => number;
  /** The artifact limit uploads from a namespace are held to, told to the sidecar so it skips what would be refused. */
  maxArtifactBytesFor: (namespace: string) => number;
  /** N replicas: stores the registration in the shared Leases (shared-registrations.ts); else the registry's own register. */
  write?: (input: RegisterInput) => Promise<Registration>;
}

const CODES: Record<Refusal['status'], ErrorCode> = {
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  503: 'ERR_UNAVAILABLE',
};

/** The error a refused registration answers with; `what` names the registration (a sidecar's or an agent's). */
export function refuse(refusal: Refusal, what = 'registration'): FurnaceError {
  return new FurnaceError(CODES[refusal.status], `${what} refused: ${refusal.reason}`);
}

interface RegistrationBody {
  port?: number;
  tlsPort?: number;
  tlsPin?: string;
  /** The review ticket of the last answer, shown back (review-tickets.ts). */
  reviewTicket?: string;
}

const bodySchema = {
  type: 'object',
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    tlsPort: { type: 'integer', minimum: 1, maximum: 65535 },
    tlsPin: { type: 'string', pattern: TLS_PIN_PATTERN },
    reviewTicket: { type: 'string', maxLength: MAX_TICKET_LENGTH, pattern: TICKET_PATTERN },
  },
  dependencies: { tlsPort: ['tlsPin'], tlsPin: ['tlsPort'] },
} as const;

/** Local mode: the TLS port and pin the body names, if it names them (a loopback sidecar may go without). */
function localTls(body: RegistrationBody | undefined): SidecarTls | undefined {
  if (body?.tlsPin === undefined || body.tlsPort === undefined) return undefined;
  return { port: body.tlsPort, pin: body.tlsPin };
}

/**
 * In a cluster: the key the body pins, at the fixed TLS port like the plain one (a body cannot point the
 * proxy at another port of the pod). Without a pin the proxy token and users' requests would cross the pod
 * network in clear text.
 */
function clusterTls(body: RegistrationBody | undefined, mode: KubernetesMode): SidecarTls {
  if (body?.tlsPin === undefined || body.tlsPort === undefined)
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      'registration refused: tlsPin is required in a cluster (the server calls sidecars only over TLS with the pinned key)',
      { field: 'tlsPin' },
    );
  return { port: mode.sidecarTlsPort ?? SIDECAR_TLS_PORT, pin: body.tlsPin };
}

/** What a sidecar or an agent gets back from a registration. */
export const REGISTRATION_RESPONSE_SCHEMA = {
  200: {
    type: 'object',
    required: ['leaseSeconds', 'proxyToken', 'uploadToken'],
    properties: {
      leaseSeconds: { type: 'integer' },
      proxyToken: { type: 'string' },
      uploadToken: { type: 'string' },
      reviewTicket: { type: 'string' },
      limits: { type: 'object', properties: { maxArtifactBytes: { type: 'integer' } } },
    },
  },
} as const;

type KubernetesMode = Extract<RegistrationMode, { kind: 'kubernetes' }>;

/**
 * With review tickets a review is asked again from 30–45 % of its TTL (18–27 s of 60) instead of 60–90 %:
 * a sidecar renews every 15 s (half the default lease), so two renewals come after that and before the
 * review ends. The first refreshes the review in whichever replica it reaches; the second either takes the
 * new ticket back or refreshes the other replica; so at 60 s every replica of two holds a newer review or
 * the sidecar shows one, and no renewal waits for a TokenReview. About one review a token each 30 s.
 */
export const TICKET_REFRESH: RefreshWindow = { from: 0.3, spread: 0.15 };

interface Resolved {
  input: RegisterInput;
  reviewTicket?: string;
}

async function findPod(
  mode: KubernetesMode,
  namespace: string,
  name: string,
  uid: string,
): Promise<V1Pod | undefined> {
  const cached = mode.cachedPod?.(namespace, name);
  if (cached?.metadata?.uid === uid && cached.status?.podIP) return cached;
  return mode.kube.readPod(namespace, name);
}

function kubernetesResolver(mode: KubernetesMode, registry: Registry, now: () => number) {
  const { kube } = mode;
  const sidecarPort = mode.sidecarPort ?? SIDECAR_PORT;
  const reviews = mode.tokens ?? createTokenCache({ now });
  const namespaces = createNamespaceOptIn({ now, read: (name) => kube.readNamespace(name) });
  // Which token hash last proved each registration, so renewals with the same token skip the pod read.
  const proven = new Map<string, string>();
  const tickets = mode.reviewTickets;
  const subjectOf = (tokenHash: string) => ({ scope: TOKEN_AUDIENCE, tokenHash });
  /** The ticket for the review now cached: the one shown when it is that review (no new MAC), else a new one. */
  const ticketFor = (tokenHash: string, shown?: { ticket: string; review: VouchedReview }) => {
    const held = tickets && reviews.current(tokenHash, TOKEN_AUDIENCE);
    if (!tickets || !held) return undefined;
    if (shown && shown.review.reviewedAt === held.reviewedAt) return shown.ticket;
    return sealReviewTicket(tickets.current, subjectOf(tokenHash), held);
  };
  const resolve = async (token: string, client: string, shown: string | undefined): Promise<Resolved> => {
    const tokenHash = hashToken(token);
    const vouched =
      tickets && shown !== undefined
        ? openReviewTicket(tickets, shown, subjectOf(tokenHash), { now: now(), maxAgeMs: reviews.ttlMs })
        : undefined;
    const review = await reviews.review(token, (t) => kube.reviewToken(t, [TOKEN_AUDIENCE]), {
      client,
      scope: TOKEN_AUDIENCE,
      listener: 'recorder',
      tokenHash,
      ...(tickets ? { vouched, refresh: TICKET_REFRESH } : {}),
    });
    const fromToken = podFromReview(review);
    if (!fromToken.ok) throw refuse(fromToken);
    const { namespace, pod, podUid } = fromToken.pod;
    const reviewTicket = ticketFor(
      tokenHash,
      vouched && shown ? { ticket: shown, review: vouched } : undefined,
    );
    const withTicket = (input: RegisterInput): Resolved =>
      reviewTicket ? { input, reviewTicket } : { input };
    const key = registrationKey(namespace, pod);
    const existing = registry.get(namespace, pod);
    if (existing && existing.podUid === podUid && proven.get(key) === tokenHash) {
      return withTicket({ namespace, pod, podUid, address: existing.address });
    }
    const optIn = await namespaces.check(namespace);
    if (!optIn.ok) throw refuse(optIn);
    const found = await findPod(mode, namespace, pod, podUid);
    const checked = checkPod(fromToken.pod, found, mode);
    if (!checked.ok) throw refuse(checked);
    proven.set(key, tokenHash);
    if (proven.size > 100_000) proven.clear();
    return withTicket({ namespace, pod, podUid, address: { host: checked.podIp, port: sidecarPort } });
  };
  return resolve;
}

/** What a proven sidecar registers, from its body (local mode reads the port from it), with its TLS key. */
type Proven = (body: RegistrationBody | undefined) => Resolved;

/** Proves a sidecar's bearer token: the adapter is chosen once, from the registration mode. */
type RecorderAuthenticator = (token: string, request: FastifyRequest) => Promise<Proven>;

/** Local mode: the shared secret; the sidecar runs on this machine, at the port its body names. */
function localSecret(mode: Extract<RegistrationMode, { kind: 'local' }>): RecorderAuthenticator {
  return (token) => {
    if (!sameSecret(token, mode.secret))
      return Promise.reject(new FurnaceError('ERR_UNAUTHENTICATED', 'registration refused: wrong secret'));
    return Promise.resolve((body) => {
      const port = body?.port;
      if (port === undefined)
        throw new FurnaceError('ERR_INVALID_PARAMETER', 'port is required in local mode', { field: 'port' });
      const tls = localTls(body);
      const address = { host: '127.0.0.1', port };
      return { input: { namespace: LOCAL_NAMESPACE, pod: mode.hostname, address, ...(tls ? { tls } : {}) } };
    });
  };
}

/** Kubernetes: TokenReview, and the pod the token names (its IP from the Pod object, never the body). */
function tokenReview(mode: KubernetesMode, registry: Registry, now: () => number): RecorderAuthenticator {
  const resolve = kubernetesResolver(mode, registry, now);
  return async (token, request) => {
    const body = request.body as RegistrationBody | undefined;
    const resolved = await resolve(token, request.ip, body?.reviewTicket);
    // After authentication, so that a caller without a valid token learns nothing but 401.
    return (body) => ({ ...resolved, input: { ...resolved.input, tls: clusterTls(body, mode) } });
  };
}

function registrationGuard(deps: RegistrationDeps): RouteGuard {
  const { mode, registry } = deps;
  const authenticate = mode.kind === 'local' ? localSecret(mode) : tokenReview(mode, registry, deps.now);
  return { recorder: 'sidecar', missing: 'registration needs Authorization: Bearer <token>', authenticate };
}

export function registerSidecarRoutes(app: FastifyInstance, deps: RegistrationDeps): void {
  const { registry } = deps;
  const guard = registrationGuard(deps);
  typedRoutes(app).post(
    '/api/v1/sidecars',
    { schema: { body: bodySchema, response: REGISTRATION_RESPONSE_SCHEMA }, config: { guard } },
    async (request) => {
      const { input, reviewTicket } = recorderOf<Proven>(request)(request.body);
      const before = registry.get(input.namespace, input.pod);
      const registration = deps.write ? await deps.write(input) : registry.register(input);
      const renewed = before?.proxyToken === registration.proxyToken;
      if (!renewed)
        request.log.info(
          { namespace: input.namespace, pod: input.pod, address: input.address },
          'sidecar registered',
        );
      const maxArtifactBytes = deps.maxArtifactBytesFor(input.namespace);
      return {
        leaseSeconds: registry.leaseSeconds,
        proxyToken: registration.proxyToken,
        uploadToken: registration.uploadToken,
        ...(reviewTicket === undefined ? {} : { reviewTicket }),
        limits: { maxArtifactBytes },
      };
    },
  );
}
