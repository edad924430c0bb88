// ANY /proxy/:namespace/:pod/*: forwarded to the pod's registered sidecar with the proxy token.
// The upstream is picked per request from the registry; an unregistered pod never causes a
// connection. Three steps, each in its own file: admission (authorize, find the recorder, admit a start
// and reserve its slot), forwarding (@fastify/http-proxy), and finishing (check and pass on the answer,
// settling the call's slot and audit line: proxy-settle.ts).
import type { FastifyInstance } from 'fastify';
import { admitProxyRequest } from './proxy-admission.ts';
import { ProxyContexts, restOf, type ProxyDeps } from './proxy-context.ts';
import { httpProxy, proxyOptions } from './proxy-forwarding.ts';
import { secureProxyReply } from './proxy-answer.ts';
import { settleProxyCall } from './proxy-settle.ts';
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
    // Settled as the answer goes out (proxy-finishing.ts), whether the client is still there or not; a
    // call answered otherwise (a failure after admission) is settled here, once its reply finished.
    scope.addHook('onResponse', (request, reply, done) => {
      const context = contexts.find(request);
      if (context) settleProxyCall(request, context, reply.statusCode);
      done();
    });
    await scope.register(httpProxy, proxyOptions(deps, contexts));
  });
}
