// ANY /proxy/:namespace/:pod/*: forwarded to the pod's registered sidecar with the proxy token.
// The upstream is picked per request from the registry; an unregistered pod never causes a
// connection. Three steps, each in its own file: admission (authorize, find the recorder, admit a start
// and reserve its slot), forwarding (@fastify/http-proxy), and finishing (check and pass on the answer).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { writeAudit } from '../operations/audit.ts';
import { admitProxyRequest } from './proxy-admission.ts';
import {
  ProxyContexts,
  restOf,
  type AnsweredCall,
  type ProxyContext,
  type ProxyDeps,
} from './proxy-context.ts';
import { httpProxy, proxyOptions } from './proxy-forwarding.ts';
import { secureProxyReply } from './proxy-answer.ts';
import { answerReplayedStart } from './start-key.ts';

export type { ProxyDeps } from './proxy-context.ts';

export async function registerProxyRoutes(app: FastifyInstance, deps: ProxyDeps): Promise<void> {
  await app.register(async (scope) => {
    const contexts = new ProxyContexts(scope);
    scope.addHook('preHandler', async (request, reply) => {
      const admitted = await admitProxyRequest(deps, contexts, request);
      // A retried start whose key already started a recording: answered here, nothing is forwarded.
      return admitted ? answerReplayedStart(deps, request, reply, admitted) : undefined;
    });
    scope.addHook('onSend', (request, reply, payload, done) => {
      // The path as admission read it; a request refused before admission has no context yet.
      secureProxyReply(reply, contexts.find(request)?.rest ?? restOf(request));
      done(null, payload);
    });
    // A start whose answer did not commit its slot (refused, failed, unreadable) gives the slot back.
    scope.addHook('onResponse', (request, reply, done) => {
      const context = contexts.find(request);
      context?.reservation?.release();
      if (context?.grant && !context.grant.bound) context.grant.grant.revoke();
      if (context?.audited) auditAnswered(request, context, context.audited, reply.statusCode);
      done();
    });
    await scope.register(httpProxy, proxyOptions(deps, contexts));
  });
}

/**
 * The audit line of a start (one that started no recording: finishStart writes the others), a stop or a
 * resymbolize, with the recorder's refusal (or the proxy's failure to reach it) as its outcome and the
 * refusal's code: written once the answer is known, so a refused call is never logged as done, nor left out.
 */
function auditAnswered(
  request: FastifyRequest,
  context: ProxyContext,
  { action, recording, code }: AnsweredCall,
  status: number,
): void {
  const { namespace, pod } = request.params as { namespace: string; pod: string };
  const container = context.start?.container;
  writeAudit(request.log, {
    action,
    identity: context.identity,
    namespace,
    pod,
    ...(container ? { container } : {}),
    ...(recording !== undefined ? { recording } : {}),
    ...(context.start ? { params: context.start } : {}),
    ...(status >= 400 ? { outcome: status } : {}),
    ...(status >= 400 && code !== undefined ? { code } : {}),
  });
}
