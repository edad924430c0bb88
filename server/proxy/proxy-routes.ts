// ANY /proxy/:namespace/:pod/*: forwarded to the pod's registered sidecar with the proxy token.
// The upstream is picked per request from the registry; an unregistered pod never causes a
// connection. A start request is admitted by `admitStart` (the same contract the sidecar checks, plus a
// reserved concurrency slot) and forwarded as the bytes that were checked.
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import httpProxy from '@fastify/http-proxy';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_SCOPE_HEADER, encodeAgentScope, type AgentScope } from '../../core/contract/agent-scope.ts';
import { FurnaceError, toErrorBody } from '../../core/contract/errors.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { RecordingParams } from '../../core/contract/recording-params.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { AgentRouting } from '../agent/agent-routing.ts';
import type { Access, AccessVerb } from '../auth/access.ts';
import { writeAudit } from '../operations/audit.ts';
import { readBounded } from '../read-bounded.ts';
import {
  discardAnswer,
  passedAnswerHeaders,
  refuseAnswer,
  secureProxyReply,
  upstreamAnswerError,
} from './proxy-answer.ts';
import { createSidecarConnector } from './sidecar-connect.ts';
import type { ServerMetrics } from '../operations/metrics.ts';
import type { Registration, Registry } from '../registry/lease-registry.ts';
import type { UploadGrants } from '../registry/upload-grants.ts';
import type { Reservation, RunningRecordings } from './running-recordings.ts';
import { admitStart } from './start-admission.ts';
import type { Identity } from '../auth/identity.ts';
import { identityOf } from '../auth/identify-requests.ts';

export interface ProxyDeps {
  registry: Registry;
  access: Access;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  running: RunningRecordings;
  metrics: ServerMetrics;
  now: () => number;
  /** Upstream connect and header timeout. */
  timeoutSeconds: number;
  /** The server setting `recording.allowSystemWide` (off unless given). */
  allowSystemWide?: boolean;
  onStarted?: (registration: Registration, status: RecordingStatus, identity: Identity) => void;
  /** Agent mode: pods without a registered sidecar go to the agent of their node, with a server-made scope. */
  agents?: { routing: AgentRouting; grants: UploadGrants };
}

interface ProxyContext {
  registration: Registration;
  identity: Identity;
  startedAt: bigint;
  start?: RecordingParams;
  /** The concurrency slot of a start, until the sidecar's answer commits it (else released). */
  reservation?: Reservation;
  /** Agent mode: what the agent may touch, written by the server only (agent-routing.ts). */
  scope?: AgentScope;
  /** Agent mode, a start: the upload grant in the scope, until the answer binds it to the recording. */
  grant?: { token: string; bound: boolean };
}

/** Upload grants outlive the recording's duration by this much (processing, retries, a slow upload). */
const GRANT_GRACE_SECONDS = 3600;

const MAX_START_BODY = 64 * 1024;
/** Answers up to this size (status polls) go out in one write; a start answer may not be larger. */
const SMALL_ANSWER_BYTES = 64 * 1024;
const STRIPPED_HEADERS = [
  'authorization',
  'cookie',
  'proxy-authorization',
  'x-forwarded-user',
  'x-forwarded-groups',
  'x-forwarded-access-token',
  // Only the server writes an agent's scope; a caller's is dropped whatever the route.
  AGENT_SCOPE_HEADER,
];

function restOf(request: FastifyRequest): string {
  const params = request.params as Record<string, string | undefined>;
  return (params['*'] ?? '').replace(/\/+$/, '');
}

function verbFor(method: string, rest: string): AccessVerb {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'get';
  if (method === 'DELETE') return 'delete';
  return rest === '' ? 'get' : 'create';
}

function upstreamError(error: Error & { statusCode?: number; code?: string }): FurnaceError {
  const timedOut =
    error.statusCode === 504 || /timeout/i.test(error.code ?? '') || /timeout/i.test(error.name);
  if (timedOut)
    return new FurnaceError('ERR_UPSTREAM_TIMEOUT', `the sidecar did not answer in time (${error.message})`);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? error.message;
  return new FurnaceError('ERR_UPSTREAM_FAILED', `the sidecar could not be reached (${detail})`);
}

export async function registerProxyRoutes(app: FastifyInstance, deps: ProxyDeps): Promise<void> {
  const contexts = new WeakMap<FastifyRequest, ProxyContext>();

  function contextOf(request: FastifyRequest): ProxyContext {
    const context = contexts.get(request);
    if (!context) throw new FurnaceError('ERR_INTERNAL', 'proxy request without context');
    return context;
  }

  async function admit(request: FastifyRequest): Promise<void> {
    const { namespace, pod } = request.params as { namespace: string; pod: string };
    // Authenticate, authorize, then look up: who may not act in the namespace learns nothing of its pods.
    const identity = identityOf(request);
    const rest = restOf(request);
    await deps.access.require(identity, verbFor(request.method, rest), namespace);
    const isStart = request.method === 'POST' && rest === 'recordings';
    const { registration, scope, node } = await findUpstream(namespace, pod, isStart);
    const context: ProxyContext = { registration, identity, startedAt: process.hrtime.bigint() };
    if (scope) context.scope = scope;
    if (isStart) {
      const body = await readBounded(request.body as Readable, MAX_START_BODY, 'start request body');
      const admitted = await admitStart(
        {
          ...deps,
          allowSystemWide: deps.allowSystemWide ?? false,
          reservationSeconds: 2 * deps.timeoutSeconds + 60,
        },
        { identity, namespace, pod, body },
      );
      context.start = admitted.params;
      context.reservation = admitted.reservation;
      if (scope && deps.agents && node !== undefined) {
        const expiresAt = deps.now() + (admitted.params.durationSeconds + GRANT_GRACE_SECONDS) * 1000;
        const owner = { namespace, pod, podUid: scope.podUid };
        context.grant = { token: deps.agents.grants.grant(owner, node, expiresAt), bound: false };
        scope.uploadToken = context.grant.token;
      }
      // Forwarded as the bytes that were checked (a stream, so the proxy does not encode it again).
      request.body = Readable.from([body]);
    }
    const stop = /^recordings\/([^/]+)\/stop$/.exec(rest);
    if (request.method === 'POST' && stop) {
      writeAudit(request.log, { action: 'stop', identity, namespace, pod, recording: stop[1] });
    }
    contexts.set(request, context);
  }

  /** The pod's registered sidecar; else, in agent mode, the agent of its node with the scope of the pod. */
  async function findUpstream(
    namespace: string,
    pod: string,
    fresh: boolean,
  ): Promise<{ registration: Registration; scope?: AgentScope; node?: string }> {
    const registration = deps.registry.get(namespace, pod);
    if (registration) return { registration };
    if (deps.agents) {
      const target = await deps.agents.routing.resolve(namespace, pod, fresh);
      return { registration: target.upstream, scope: target.scope, node: target.node };
    }
    throw new FurnaceError('ERR_NOT_REGISTERED', `no sidecar is registered for pod ${namespace}/${pod}`, {
      namespace,
      pod,
    });
  }

  function rewriteRequestHeaders(request: FastifyRequest, headers: IncomingHttpHeaders): IncomingHttpHeaders {
    const rewritten = { ...headers };
    for (const name of STRIPPED_HEADERS) delete rewritten[name];
    const context = contextOf(request);
    rewritten.authorization = `Bearer ${context.registration.proxyToken}`;
    if (context.scope) rewritten[AGENT_SCOPE_HEADER] = encodeAgentScope(context.scope);
    return rewritten;
  }

  function upstreamOf(request: FastifyRequest): string {
    const { address, tls } = contextOf(request).registration;
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    // A sidecar that registered a TLS key is reached only over TLS, with that key (sidecar-connect.ts).
    return tls ? `https://${host}:${tls.port}` : `http://${host}:${address.port}`;
  }

  function finishStart(
    request: FastifyRequest,
    reply: FastifyReply,
    context: ProxyContext,
    body: Buffer,
  ): void {
    const { namespace, pod } = context.registration;
    try {
      const status = JSON.parse(body.toString('utf8')) as RecordingStatus;
      if (typeof status.id === 'string') {
        const durationSeconds = context.start?.durationSeconds ?? 0;
        context.reservation?.commit(status.id, deps.now() + (durationSeconds + 900) * 1000);
        if (context.grant) {
          const until = deps.now() + (durationSeconds + GRANT_GRACE_SECONDS) * 1000;
          deps.agents?.grants.bind(context.grant.token, status.id, until);
          context.grant.bound = true;
        }
        writeAudit(request.log, {
          action: 'start',
          identity: context.identity,
          namespace,
          pod,
          ...(context.start?.container ? { container: context.start.container } : {}),
          recording: status.id,
          params: context.start,
        });
        deps.onStarted?.(context.registration, status, context.identity);
      }
    } catch (error) {
      request.log.warn({ err: error }, 'sidecar start answer was not a recording status');
    }
    void reply.send(body);
  }

  function onResponse(
    request: FastifyRequest,
    reply: FastifyReply,
    res: { stream: Readable; statusCode?: number; headers?: Record<string, unknown> },
  ): void {
    const context = contextOf(request);
    const seconds = Number(process.hrtime.bigint() - context.startedAt) / 1e9;
    deps.metrics.proxyLatency.observe({ method: request.method, status: String(reply.statusCode) }, seconds);
    const refusal = refuseAnswer(restOf(request), reply.statusCode, res.headers ?? {});
    if (refusal) {
      discardAnswer(res.stream);
      void reply.send(refusal);
      return;
    }
    if (context.start && reply.statusCode >= 200 && reply.statusCode < 300) {
      readBounded(res.stream, SMALL_ANSWER_BYTES, 'sidecar start answer').then(
        (body) => finishStart(request, reply, context, body),
        (error: unknown) => reply.send(upstreamAnswerError(error, 'start answer')),
      );
      return;
    }
    // Small answers (status polls) go out in one write with their headers; large ones stream.
    const length = Number(res.headers?.['content-length']);
    if (length >= 0 && length <= SMALL_ANSWER_BYTES) {
      readBounded(res.stream, SMALL_ANSWER_BYTES, 'sidecar answer').then(
        (body) => void reply.send(body),
        (error: unknown) => reply.send(error),
      );
      return;
    }
    void reply.send(res.stream);
  }

  function onError(reply: FastifyReply, { error }: { error: Error }): void {
    const failure = upstreamError(error);
    reply.request.log.warn({ err: error }, failure.message);
    void reply.code(failure.status).type('application/json').send(toErrorBody(failure));
  }

  await app.register(async (scope) => {
    scope.addHook('preHandler', admit);
    scope.addHook('onSend', (request, reply, payload, done) => {
      secureProxyReply(reply, restOf(request));
      done(null, payload);
    });
    // A start whose answer did not commit its slot (refused, failed, unreadable) gives the slot back.
    scope.addHook('onResponse', (request, _reply, done) => {
      const context = contexts.get(request);
      context?.reservation?.release();
      if (context?.grant && !context.grant.bound) deps.agents?.grants.revoke(context.grant.token);
      done();
    });
    await scope.register(httpProxy, {
      upstream: '',
      prefix: '/proxy/:namespace/:pod',
      rewritePrefix: '',
      undici: {
        connect: createSidecarConnector({
          pinFor: (host, port) =>
            deps.registry.list().find((r) => r.address.host === host && r.tls?.port === port)?.tls?.pin ??
            deps.agents?.routing.pinFor(host, port),
          timeoutMs: deps.timeoutSeconds * 1000,
        }),
        headersTimeout: deps.timeoutSeconds * 1000,
        // undici's bodyTimeout is an idle timeout (between chunks): a long download goes on, a stalled one ends.
        bodyTimeout: deps.timeoutSeconds * 1000,
      },
      disableRequestLogging: true,
      replyOptions: {
        getUpstream: (request) => upstreamOf(request as FastifyRequest),
        rewriteHeaders: (headers) => passedAnswerHeaders(headers as IncomingHttpHeaders),
        rewriteRequestHeaders: (request, headers) =>
          rewriteRequestHeaders(request as FastifyRequest, headers as IncomingHttpHeaders),
        onResponse: (request, reply, res) =>
          onResponse(request as FastifyRequest, reply as FastifyReply, res),
        onError: (reply, error) => onError(reply as FastifyReply, error),
        retryDelay: () => null,
      },
    });
  });
}
