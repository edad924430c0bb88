// ANY /proxy/:namespace/:pod/*: forwarded to the pod's registered sidecar with the proxy token.
// The upstream is picked per request from the registry; an unregistered pod never causes a
// connection. Start requests are checked against the same limits as the sidecar's.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import httpProxy from '@fastify/http-proxy';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FurnaceError, toErrorBody } from '../core/errors.ts';
import { validateRecordingParams, type RecordingLimits, type RecordingParams } from '../core/limits.ts';
import type { RecordingStatus } from '../core/recording.ts';
import type { Access, AccessVerb, Identity } from './auth/access.ts';
import { writeAudit } from './audit.ts';
import type { ServerMetrics } from './metrics.ts';
import type { Registration, Registry } from './registry/lease-registry.ts';
import type { RunningRecordings } from './running-recordings.ts';

export interface ProxyDeps {
  registry: Registry;
  access: Access;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  running: RunningRecordings;
  metrics: ServerMetrics;
  now: () => number;
  /** Upstream connect and header timeout. */
  timeoutSeconds: number;
  onStarted?: (registration: Registration, status: RecordingStatus, identity: Identity) => void;
}

interface ProxyContext {
  registration: Registration;
  identity: Identity;
  startedAt: bigint;
  start?: RecordingParams;
}

const MAX_START_BODY = 64 * 1024;
const SMALL_ANSWER_BYTES = 64 * 1024;
const STRIPPED_HEADERS = [
  'authorization',
  'cookie',
  'proxy-authorization',
  'x-forwarded-user',
  'x-forwarded-groups',
  'x-forwarded-access-token',
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

async function readJson(stream: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_START_BODY)
      throw new FurnaceError(
        'ERR_INVALID_PARAMETER',
        `start request body is larger than ${MAX_START_BODY} bytes`,
        { field: 'body' },
      );
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw new FurnaceError('ERR_INVALID_PARAMETER', 'start request body is not valid JSON', {
      field: 'body',
    });
  }
}

function checkConcurrency(deps: ProxyDeps, namespace: string, limits: Readonly<RecordingLimits>): void {
  if (deps.running.countNamespace(namespace) >= limits.maxConcurrentPerNamespace) {
    throw new FurnaceError(
      'ERR_LIMIT_EXCEEDED',
      `namespace ${namespace} already runs ${limits.maxConcurrentPerNamespace} recordings (maxConcurrentPerNamespace)`,
      {
        field: 'maxConcurrentPerNamespace',
        limit: limits.maxConcurrentPerNamespace,
      },
    );
  }
  if (deps.running.countAll() >= limits.maxConcurrentPerCluster) {
    throw new FurnaceError(
      'ERR_LIMIT_EXCEEDED',
      `the cluster already runs ${limits.maxConcurrentPerCluster} recordings (maxConcurrentPerCluster)`,
      {
        field: 'maxConcurrentPerCluster',
        limit: limits.maxConcurrentPerCluster,
      },
    );
  }
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

async function readStatus(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
    const registration = deps.registry.get(namespace, pod);
    if (!registration)
      throw new FurnaceError('ERR_NOT_REGISTERED', `no sidecar is registered for pod ${namespace}/${pod}`, {
        namespace,
        pod,
      });
    const identity = await deps.access.authenticate(request.headers);
    const rest = restOf(request);
    await deps.access.require(identity, verbFor(request.method, rest), namespace);
    const context: ProxyContext = { registration, identity, startedAt: process.hrtime.bigint() };
    if (request.method === 'POST' && rest === 'recordings') {
      const body = await readJson(request.body as Readable);
      const limits = deps.limitsFor(namespace);
      context.start = validateRecordingParams(body, limits);
      checkConcurrency(deps, namespace, limits);
      request.body = body;
    }
    const stop = /^recordings\/([^/]+)\/stop$/.exec(rest);
    if (request.method === 'POST' && stop) {
      writeAudit(request.log, { action: 'stop', identity, namespace, pod, recording: stop[1] });
    }
    contexts.set(request, context);
  }

  function rewriteRequestHeaders(request: FastifyRequest, headers: IncomingHttpHeaders): IncomingHttpHeaders {
    const rewritten = { ...headers };
    for (const name of STRIPPED_HEADERS) delete rewritten[name];
    rewritten.authorization = `Bearer ${contextOf(request).registration.proxyToken}`;
    return rewritten;
  }

  function upstreamOf(request: FastifyRequest): string {
    const { host, port } = contextOf(request).registration.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
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
        deps.running.add({
          namespace,
          pod,
          id: status.id,
          deadline: deps.now() + (durationSeconds + 900) * 1000,
        });
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
    if (context.start && reply.statusCode >= 200 && reply.statusCode < 300) {
      readStatus(res.stream).then(
        (body) => finishStart(request, reply, context, body),
        (error: unknown) => reply.send(error),
      );
      return;
    }
    // Small answers (status polls) go out in one write with their headers; large ones stream.
    const length = Number(res.headers?.['content-length']);
    if (length >= 0 && length <= SMALL_ANSWER_BYTES) {
      readStatus(res.stream).then(
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
    await scope.register(httpProxy, {
      upstream: '',
      prefix: '/proxy/:namespace/:pod',
      rewritePrefix: '',
      undici: {
        connectTimeout: deps.timeoutSeconds * 1000,
        headersTimeout: deps.timeoutSeconds * 1000,
        bodyTimeout: 0,
      },
      disableRequestLogging: true,
      replyOptions: {
        getUpstream: (request) => upstreamOf(request as FastifyRequest),
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
