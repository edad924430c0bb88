// The forwarding itself: @fastify/http-proxy with the upstream picked per request from the admitted
// context, the caller's credentials and any agent scope replaced by the server's own, and connections
// pinned to the key the recorder registered (sidecar-connect.ts).
import type { IncomingHttpHeaders } from 'node:http';
import httpProxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_SCOPE_HEADER, encodeAgentScope } from '../../core/contract/agent-scope.ts';
import { passedAnswerHeaders } from './proxy-answer.ts';
import type { ProxyContexts, ProxyDeps } from './proxy-context.ts';
import { PROXY_GUARD } from './proxy-guard.ts';
import { failProxyAnswer, finishProxyAnswer } from './proxy-finishing.ts';
import { createPinnedUpstreams } from './pinned-upstreams.ts';
import { createSidecarConnector } from './sidecar-connect.ts';
import { START_KEY_HEADER } from './start-key.ts';

const STRIPPED_HEADERS = new Set([
  'authorization',
  'cookie',
  'proxy-authorization',
  'x-forwarded-user',
  'x-forwarded-groups',
  'x-forwarded-access-token',
  // Only the server writes an agent's scope; a caller's is dropped whatever the route.
  AGENT_SCOPE_HEADER,
  // The recorder gets the key hashed with the user, so one user's key never names another's recording.
  START_KEY_HEADER,
  // Written below.
  'host',
]);

function rewriteRequestHeaders(
  contexts: ProxyContexts,
  request: FastifyRequest,
  headers: IncomingHttpHeaders,
): IncomingHttpHeaders {
  // A new object with the kept headers copied (a copy with headers deleted from it is slower to make
  // and to read: V8 turns an object that loses properties into a dictionary).
  const rewritten: IncomingHttpHeaders = {};
  for (const name in headers) if (!STRIPPED_HEADERS.has(name)) rewritten[name] = headers[name];
  const context = contexts.of(request);
  rewritten.authorization = `Bearer ${context.registration.proxyToken}`;
  // The upstream's host name is a handle (pinned-upstreams.ts); the recorder is told its own address.
  const { address, tls } = context.registration;
  rewritten.host = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${tls?.port ?? address.port}`;
  if (context.scope) rewritten[AGENT_SCOPE_HEADER] = encodeAgentScope(context.scope);
  if (context.startKey) rewritten[START_KEY_HEADER] = context.startKey;
  return rewritten;
}

/** The options of the proxy plugin under /proxy/:namespace/:pod. */
export function proxyOptions(deps: ProxyDeps, contexts: ProxyContexts): FastifyHttpProxyOptions {
  // A recorder that registered a TLS key is reached only over TLS, with that key (sidecar-connect.ts).
  const upstreams = createPinnedUpstreams();
  return {
    upstream: '',
    prefix: '/proxy/:namespace/:pod',
    rewritePrefix: '',
    undici: {
      connect: createSidecarConnector({
        targetOf: (hostname) => upstreams.targetOf(hostname),
        timeoutMs: deps.timeoutSeconds * 1000,
      }),
      headersTimeout: deps.timeoutSeconds * 1000,
      // undici's bodyTimeout is an idle timeout (between chunks): a long download goes on, a stalled one ends.
      bodyTimeout: deps.timeoutSeconds * 1000,
    },
    disableRequestLogging: true,
    config: { guard: PROXY_GUARD },
    replyOptions: {
      getUpstream: (request) => upstreams.upstreamOf(contexts.of(request as FastifyRequest).registration),
      rewriteHeaders: (headers) => passedAnswerHeaders(headers),
      rewriteRequestHeaders: (request, headers) =>
        rewriteRequestHeaders(contexts, request as FastifyRequest, headers),
      onResponse: (request, reply, res) =>
        finishProxyAnswer(
          deps,
          contexts,
          { request: request as FastifyRequest, reply: reply as FastifyReply },
          res,
        ),
      onError: (reply, error) => failProxyAnswer(contexts, reply as FastifyReply, error),
      retryDelay: () => null,
    },
  };
}

export { httpProxy };
