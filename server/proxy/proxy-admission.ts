// The first half of a proxied request, before any byte goes to a recorder: authorize the caller for the
// verb in the pod's namespace, find the pod's recorder (its sidecar, or in agent mode its node's agent with a
// server-made scope), and for a start admit its parameters and reserve a slot (start-admission.ts).
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { demandOf, identityOf } from '../auth/route-guard.ts';
import { readBounded } from '../read-bounded.ts';
import {
  grantExpiry,
  restOf,
  type ProxyContext,
  type ProxyContexts,
  type ProxyDeps,
} from './proxy-context.ts';
import { admitStart, type ReplayedStart } from './start-admission.ts';
import { START_KEY_HEADER, startKeyOf } from './start-key.ts';

const MAX_CALL_BODY = 64 * 1024;

/**
 * Reads an audited call's body whole before anything goes to the recorder, and forwards those bytes (a
 * stream, so the proxy does not encode them again). A client that hangs up mid-body asked nothing; one that
 * hangs up later left a request read to its end, which Node does not call aborted, so reply-from still
 * passes on the recorder's answer (it drops an aborted request's answer unseen) and the call is settled.
 */
async function holdBody(request: FastifyRequest, what: string): Promise<Buffer> {
  const stream = request.body as Readable | undefined;
  const body = stream ? await readBounded(stream, MAX_CALL_BODY, what) : Buffer.alloc(0);
  if (stream) request.body = Readable.from([body]);
  return body;
}

/** A stop or a resymbolize: its body held, noted for its audit line (and a stop for the catalog). */
async function admitAction(deps: ProxyDeps, request: FastifyRequest, context: ProxyContext): Promise<void> {
  const acted = /^recordings\/([^/]+)\/(stop|resymbolize)$/.exec(context.rest);
  if (!acted) return;
  const recording = acted[1] ?? '';
  const action = acted[2] === 'stop' ? 'stop' : 'resymbolize';
  await holdBody(request, `${action} request body`);
  // Audited with the recorder's answer (proxy-settle.ts): what it refused (404: no such recording;
  // 409: busy) or could not be asked (502) was not done, and the audit line says so.
  context.audited = { action, recording };
  const { namespace, pod } = request.params as { namespace: string; pod: string };
  if (action === 'stop') deps.running.noteStop(recording, namespace, pod, context.identity.user);
}

/**
 * Admits the request and notes its context; a retried start whose idempotency key already started a
 * recording on the pod answers that recording's id instead (nothing is forwarded).
 */
export async function admitProxyRequest(
  deps: ProxyDeps,
  contexts: ProxyContexts,
  request: FastifyRequest,
): Promise<ReplayedStart | undefined> {
  const { namespace, pod } = request.params as { namespace: string; pod: string };
  // The route guard has authorized the caller in the namespace (proxy-guard.ts); now the pod is looked up.
  const identity = identityOf(request);
  const rest = restOf(request);
  const isStart = request.method === 'POST' && rest === 'recordings';
  const found = deps.upstreams.resolve(namespace, pod, isStart);
  const { registration, scope, grantFor } = found instanceof Promise ? await found : found;
  const context: ProxyContext = { registration, identity, rest, startedAt: process.hrtime.bigint() };
  if (scope) context.scope = scope;
  if (isStart) {
    const body = await holdBody(request, 'start request body');
    const startKey = startKeyOf(request.headers[START_KEY_HEADER], identity.user);
    const admitted = await admitStart(deps, {
      identity,
      namespace,
      pod,
      demand: demandOf(request),
      body,
      ...(startKey ? { startKey } : {}),
    });
    if ('replay' in admitted) return admitted;
    context.start = admitted.params;
    context.reservation = admitted.reservation;
    // Audited with the recorder's answer, whatever it is: a start it refused (over its limits, no such
    // process, busy) or that never reached it (502, 504) leaves a line as one that started a recording does.
    context.audited = { action: 'start' };
    if (startKey) context.startKey = startKey;
    if (scope && grantFor) {
      const expiresAt = grantExpiry(deps.now(), admitted.params.durationSeconds);
      const grant = grantFor({ namespace, pod, podUid: scope.podUid }, expiresAt);
      context.grant = { grant, bound: false };
      scope.uploadToken = grant.token;
    }
  }
  if (request.method === 'POST') await admitAction(deps, request, context);
  contexts.set(request, context);
  return undefined;
}
