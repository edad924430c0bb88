// The second half of a proxied request: the recorder's answer, checked (proxy-answer.ts) before it reaches
// the caller; a start's answer commits the reserved slot and the upload grant and is audited; a refusal's
// code is kept for the audit line; a failure to reach the recorder is answered in Furnace's words. The call
// is settled (proxy-settle.ts) as its answer goes out, even to a client that has hung up.
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FurnaceError, toErrorBody } from '../../core/contract/errors.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { writeAudit } from '../operations/audit.ts';
import { readBounded } from '../read-bounded.ts';
import {
  answerContract,
  checkRecorderAnswer,
  MAX_LIST_ANSWER_BYTES,
  refusalCodeOf,
} from './answer-schema.ts';
import {
  discardAnswer,
  isJson,
  refuseAnswer,
  refuseBodilessStart,
  upstreamAnswerError,
} from './proxy-answer.ts';
import { grantExpiry, type ProxyContext, type ProxyContexts, type ProxyDeps } from './proxy-context.ts';
import { settleProxyCall } from './proxy-settle.ts';

/** Answers up to this size (status polls) go out in one write; a start answer may not be larger. */
const SMALL_ANSWER_BYTES = 64 * 1024;

function upstreamError(error: Error & { statusCode?: number; code?: string }): FurnaceError {
  const timedOut =
    error.statusCode === 504 || /timeout/i.test(error.code ?? '') || /timeout/i.test(error.name);
  if (timedOut)
    return new FurnaceError('ERR_UPSTREAM_TIMEOUT', `the sidecar did not answer in time (${error.message})`);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? error.message;
  return new FurnaceError('ERR_UPSTREAM_FAILED', `the sidecar could not be reached (${detail})`);
}

/** How long a start's answer waits for its shared slots' commit to be written, at most. */
const COMMIT_WAIT_MS = 5000;

/**
 * The start's answer, once its commit is written (at most COMMIT_WAIT_MS): a start the client saw succeed
 * never leaves a slot that names no recording, which a replica dying right after the answer would.
 */
function answerAfterCommit(reply: FastifyReply, body: Buffer, committed: void | Promise<void>): void {
  if (committed === undefined) {
    void reply.send(body);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, COMMIT_WAIT_MS)));
  void Promise.race([committed, late]).then(() => {
    clearTimeout(timer);
    void reply.send(body);
  });
}

/** The status `payload` goes out with: an error's own, else the recorder's. */
function statusOf(reply: FastifyReply, payload: unknown): number {
  if (payload instanceof FurnaceError) return payload.status;
  return payload instanceof Error ? 500 : reply.statusCode;
}

/** Settles the call with the status its answer goes out with, then sends the answer. */
function answer(exchange: Exchange, context: ProxyContext, payload: unknown): void {
  settleProxyCall(exchange.request, context, statusOf(exchange.reply, payload));
  void exchange.reply.send(payload);
}

function finishStart(deps: ProxyDeps, exchange: Exchange, context: ProxyContext, body: Buffer): void {
  const { request, reply } = exchange;
  const { namespace, pod } = context.registration;
  let committed: void | Promise<void> = undefined;
  try {
    const status = JSON.parse(body.toString('utf8')) as RecordingStatus;
    if (typeof status.id === 'string') {
      const durationSeconds = context.start?.durationSeconds ?? 0;
      // The answer is kept for a retry of a keyed start (start-key.ts); start answers are small.
      committed = context.reservation?.commit(
        status.id,
        deps.now() + (durationSeconds + 900) * 1000,
        body.toString('utf8'),
      );
      if (context.grant) {
        const until = grantExpiry(deps.now(), durationSeconds);
        context.grant.grant.bind(status.id, until);
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
      // Written here, with the recording, even if the client is gone before the answer reaches it: the
      // proxy's answered-call audit (proxy-routes.ts) has nothing left to write.
      delete context.audited;
      deps.onStarted(context.registration, status, context.identity);
    }
  } catch (error) {
    request.log.warn({ err: error }, 'sidecar start answer was not a recording status');
  }
  settleProxyCall(request, context, reply.statusCode);
  answerAfterCommit(reply, body, committed);
}

/** The code of the recorder's refusal of an audited call, for its audit line (proxy-routes.ts). */
function noteRefusalCode(context: ProxyContext, body: Buffer): void {
  if (!context.audited) return;
  const code = refusalCodeOf(body);
  if (code !== undefined) context.audited.code = code;
}

/** The client's request and the reply to it, which a proxied answer finishes. */
export interface Exchange {
  request: FastifyRequest;
  reply: FastifyReply;
}

export function finishProxyAnswer(
  deps: ProxyDeps,
  contexts: ProxyContexts,
  exchange: Exchange,
  res: { stream: Readable; statusCode?: number; headers?: Record<string, unknown> },
): void {
  const { request, reply } = exchange;
  const context = contexts.of(request);
  const seconds = Number(process.hrtime.bigint() - context.startedAt) / 1e9;
  deps.metrics.proxyLatency.observe({ method: request.method, status: String(reply.statusCode) }, seconds);
  const refusal =
    refuseAnswer(context.rest, reply.statusCode, res.headers ?? {}) ??
    refuseBodilessStart(request.method, context.rest, reply.statusCode, res.headers);
  if (refusal) {
    discardAnswer(res.stream);
    answer(exchange, context, refusal);
    return;
  }
  const { rest } = context;
  const contract = isJson(res.headers) ? answerContract(request.method, rest, reply.statusCode) : undefined;
  if (contract) {
    const what = context.start ? 'start answer' : 'answer';
    const limit = contract === 'list' ? MAX_LIST_ANSWER_BYTES : SMALL_ANSWER_BYTES;
    readBounded(res.stream, limit, `sidecar ${what}`).then(
      (body) => {
        const { namespace, pod } = context.registration;
        const broken = checkRecorderAnswer(contract, rest, body, `${namespace}/${pod}`);
        if (broken) {
          request.log.warn({ rest, contract }, broken.message);
          answer(exchange, context, broken);
        } else if (context.start && contract === 'status') finishStart(deps, exchange, context, body);
        else {
          if (contract === 'error') noteRefusalCode(context, body);
          answer(exchange, context, body);
        }
      },
      (error: unknown) => answer(exchange, context, upstreamAnswerError(error, what)),
    );
    return;
  }
  // Small answers (status polls) go out in one write with their headers; large ones stream.
  const length = Number(res.headers?.['content-length']);
  if (length >= 0 && length <= SMALL_ANSWER_BYTES) {
    readBounded(res.stream, SMALL_ANSWER_BYTES, 'sidecar answer').then(
      (body) => answer(exchange, context, body),
      (error: unknown) => answer(exchange, context, error),
    );
    return;
  }
  answer(exchange, context, res.stream);
}

export function failProxyAnswer(
  contexts: ProxyContexts,
  reply: FastifyReply,
  { error }: { error: Error },
): void {
  const failure = upstreamError(error);
  reply.request.log.warn({ err: error }, failure.message);
  const context = contexts.find(reply.request);
  if (context) settleProxyCall(reply.request, context, failure.status);
  void reply.code(failure.status).type('application/json').send(toErrorBody(failure));
}
