// The sidecar HTTP API: an un-listened Fastify instance; every route but /healthz needs the proxy token.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { FurnaceError, toErrorBody } from '../core/errors.ts';
import type { RecordingLimits } from '../core/limits.ts';
import { ARTIFACT_CONTENT_TYPES, type ArtifactName } from '../core/names.ts';
import type { RecordingStatus } from '../core/recording.ts';
import {
  artifactParamsSchema,
  errorBodySchema,
  healthSchema,
  idParamsSchema,
  recordingListSchema,
  recordingStatusSchema,
  startBodySchema,
} from './schemas.ts';

/** What the routes need from the recording controller. */
export interface RecordingApi {
  start(body: unknown): Promise<RecordingStatus>;
  list(): RecordingStatus[];
  get(id: string): RecordingStatus;
  stop(id: string): RecordingStatus;
  artifactPath(id: string, name: ArtifactName): string;
}

export interface SidecarAppDeps {
  recordings: RecordingApi;
  limits: Readonly<RecordingLimits>;
  /** True for the server's current proxy token (and the previous one during its grace lease). */
  isAcceptedToken(token: string): boolean;
  isRegistered(): boolean;
  logger?: boolean | object;
}

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

function describeValue(value: unknown): string {
  return value === undefined ? '' : ` ${JSON.stringify(value)}`;
}

/** Turns a schema rejection into the same kind of error the core validators throw: field, value, limit. */
export function fromValidationError(error: FastifyError, request: FastifyRequest): FurnaceError {
  const first = error.validation?.[0];
  const context = error.validationContext ?? 'body';
  const params: Record<string, unknown> = first?.params ?? {};
  const path = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
  const field =
    path || extra || (typeof params.missingProperty === 'string' ? params.missingProperty : context);
  const source = (
    context === 'params' ? request.params : context === 'querystring' ? request.query : request.body
  ) as Record<string, unknown> | undefined;
  const value = path || extra ? source?.[field] : source;
  const shown = `${field}${describeValue(value)}`;
  const code = context === 'params' && field === 'name' ? 'ERR_INVALID_ARTIFACT' : 'ERR_INVALID_PARAMETER';
  switch (first?.keyword) {
    case 'maximum':
    case 'minimum': {
      const limit = `must be ${String(params.comparison)} ${String(params.limit)}`;
      return new FurnaceError('ERR_LIMIT_EXCEEDED', `${shown} is out of range: ${limit}`, {
        field,
        value,
        limit,
      });
    }
    case 'enum': {
      const allowed = `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
      return new FurnaceError(code, `${shown} is invalid: ${allowed}`, { field, value, allowed });
    }
    case 'additionalProperties':
      return new FurnaceError(code, `${field} is not a known parameter`, {
        field,
        allowed: 'no other fields',
      });
    default: {
      const allowed = first?.message ?? 'invalid';
      return new FurnaceError(code, `${shown} is invalid: ${allowed}`, { field, value, allowed });
    }
  }
}

function toFurnaceError(error: FastifyError, request: FastifyRequest): FurnaceError {
  if (error instanceof FurnaceError) return error;
  if (error.validation !== undefined) return fromValidationError(error, request);
  const status = error.statusCode ?? 500;
  if (status === 404) return new FurnaceError('ERR_NOT_FOUND', error.message);
  if (status === 413) return new FurnaceError('ERR_PAYLOAD_TOO_LARGE', error.message);
  if (status >= 400 && status < 500) return new FurnaceError('ERR_INVALID_PARAMETER', error.message);
  return new FurnaceError('ERR_INTERNAL', 'internal error');
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function buildSidecarApp(deps: SidecarAppDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
  });

  // An empty body is an empty request (all defaults), whatever the content type says.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = new FurnaceError('ERR_INVALID_PARAMETER', 'body is not valid JSON', { field: 'body' });
      done(error, undefined);
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const furnaceError = toFurnaceError(error, request);
    if (furnaceError.code === 'ERR_INTERNAL') request.log.error({ err: error }, 'request failed');
    return reply.status(furnaceError.status).send(toErrorBody(furnaceError));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new FurnaceError('ERR_NOT_FOUND', `no route ${request.method} ${request.url}`);
    return reply.status(404).send(toErrorBody(error));
  });

  app.addHook('onRequest', (request, _reply, done) => {
    const token = bearer(request);
    if (request.routeOptions.url === '/healthz' || (token !== undefined && deps.isAcceptedToken(token))) {
      done();
      return;
    }
    const message = deps.isRegistered()
      ? 'a valid proxy token is required: call the sidecar through the Furnace server'
      : 'not registered with the Furnace server yet: no proxy token is accepted';
    done(new FurnaceError('ERR_UNAUTHENTICATED', message) as unknown as FastifyError);
  });

  app.get('/healthz', { schema: { response: { 200: healthSchema } } }, () => ({
    status: 'ok',
    registered: deps.isRegistered(),
  }));

  app.post(
    '/recordings',
    {
      schema: { body: startBodySchema(deps.limits), response: { 202: recordingStatusSchema, ...errors } },
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
    },
    async (request, reply) => reply.status(202).send(await deps.recordings.start(request.body)),
  );

  app.get('/recordings', { schema: { response: { 200: recordingListSchema, ...errors } } }, () => ({
    recordings: deps.recordings.list(),
  }));

  app.get<{ Params: { id: string } }>(
    '/recordings/:id',
    { schema: { params: idParamsSchema, response: { 200: recordingStatusSchema, ...errors } } },
    (request) => deps.recordings.get(request.params.id),
  );

  app.post<{ Params: { id: string } }>(
    '/recordings/:id/stop',
    { schema: { params: idParamsSchema, response: { 200: recordingStatusSchema, ...errors } } },
    (request) => deps.recordings.stop(request.params.id),
  );

  app.get<{ Params: { id: string; name: ArtifactName } }>(
    '/recordings/:id/artifacts/:name',
    { schema: { params: artifactParamsSchema, response: errors } },
    async (request, reply) => {
      const { id, name } = request.params;
      const path = deps.recordings.artifactPath(id, name);
      const size = (await stat(path)).size;
      return reply
        .type(ARTIFACT_CONTENT_TYPES[name])
        .header('content-length', size)
        .header('x-content-type-options', 'nosniff')
        .send(createReadStream(path));
    },
  );

  return app;
}
