// What the server owes a proxied call once the recorder's answer (or the failure to reach it) is known,
// done once and whether or not the client is still there to receive it: a client that hangs up first (a
// Ctrl-C, a closed tab, a timeout in front of the server) never gets Fastify's onResponse, since its reply
// never finishes, but the recorder still answered (the upstream request is not cut short with it). So the
// proxy settles as it answers: a start's slot not committed goes back, its unbound upload grant is revoked,
// and the call's audit line is written with the outcome.
import type { FastifyRequest } from 'fastify';
import { writeAudit } from '../operations/audit.ts';
import type { AnsweredCall, ProxyContext } from './proxy-context.ts';

/** Settles the call answered `status`; a second call does nothing (the reply's onResponse calls it again). */
export function settleProxyCall(request: FastifyRequest, context: ProxyContext, status: number): void {
  context.reservation?.release();
  if (context.grant && !context.grant.bound) context.grant.grant.revoke();
  const audited = context.audited;
  if (audited === undefined) return;
  delete context.audited;
  auditAnswered(request, context, audited, status);
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
  // The pod asked for (in agent mode the registration is its node's agent).
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
