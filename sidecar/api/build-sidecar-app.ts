// The sidecar HTTP API: an un-listened Fastify instance; every route but /healthz needs the proxy token,
// and, once the API is served over HTTPS too, a TLS connection (the plain port is left to the probes).
import { open } from 'node:fs/promises';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { errorBodySchema, installErrorHandler, readBearer } from '../../core/contract/http-errors.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import { ARTIFACT_CONTENT_TYPES, type ArtifactName } from '../../core/contract/names.ts';
import {
  startParamsSchema,
  validateRecordingParams,
  type RecordingParams,
} from '../../core/contract/recording-params.ts';
import {
  recordingListSchema,
  recordingStatusSchema,
  type RecordingStatus,
} from '../../core/contract/recording.ts';
import {
  processMatchesSchema,
  processQuerySchema,
  type ProcessMatches,
  type ProcessQuery,
  type ProcessSelection,
} from '../../core/contract/processes.ts';
import { recorderStartKey, START_KEY_HEADER } from '../../core/contract/start-key.ts';
import { readStatusWait, statusQuerySchema } from '../../core/contract/status-wait.ts';
import { artifactParamsSchema, artifactQuerySchema, healthSchema, idParamsSchema } from './schemas.ts';

/** What the routes need from the recording controller. */
export interface RecordingApi {
  /** `startKey`: the server's hashed idempotency key; a start with a key seen before answers that recording. */
  start(params: RecordingParams, startKey?: string): Promise<RecordingStatus>;
  list(): RecordingStatus[];
  get(id: string): RecordingStatus;
  stop(id: string): RecordingStatus;
  /** Symbolizes a finished recording again from its perf.data (answered at once; its warnings say when done). */
  resymbolize?(id: string): RecordingStatus;
  artifactPath(id: string, name: ArtifactName): string;
  /** Resolves once the recording lists `name`, is no longer active, or after a while (artifact-waits.ts). */
  whenArtifact?(id: string, name: ArtifactName): Promise<void>;
  /** Resolves once the recording is done or failed (or unknown), or after `ms` (artifact-waits.ts). */
  whenEnded?(id: string, ms: number): Promise<void>;
  /** Which processes a start with these settings would record now. */
  matchingProcesses(request: ProcessSelection): Promise<ProcessMatches>;
}

export interface SidecarAppDeps {
  /** The one recorder of a sidecar; or, for the node agent, the recorder of the pod a request's scope names. */
  recordings: RecordingApi | ((request: FastifyRequest) => RecordingApi);
  limits: Readonly<RecordingLimits>;
  /** True for the server's current proxy token (and the previous one during its grace lease). */
  isAcceptedToken(token: string): boolean;
  isRegistered(): boolean;
  /** True while main.ts serves the API over HTTPS: every route but /healthz is then refused over plain HTTP. */
  requireTls?: () => boolean;
  logger?: boolean | object;
}

const errors = { 400: errorBodySchema, 401: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };

export function buildSidecarApp(deps: SidecarAppDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
  });
  parseEmptyJsonAsNone(app);
  installErrorHandler(app);
  requireProxyToken(app, deps);
  app.get('/healthz', { schema: { response: { 200: healthSchema } } }, () => ({
    status: 'ok',
    registered: deps.isRegistered(),
  }));
  const { recordings } = deps;
  registerRecordingRoutes(app, deps.limits, (request) =>
    typeof recordings === 'function' ? recordings(request) : recordings,
  );
  return app;
}

/** An empty body is an empty request (all defaults), whatever the content type says. */
function parseEmptyJsonAsNone(app: FastifyInstance): void {
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
}

/** Every route but /healthz: the proxy token, and HTTPS once main.ts serves it. */
function requireProxyToken(app: FastifyInstance, deps: SidecarAppDeps): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.routeOptions.url === '/healthz') {
      done();
      return;
    }
    if (deps.requireTls?.() === true && request.protocol !== 'https') {
      const message = 'the sidecar API is served over HTTPS only: call it through the Furnace server';
      done(new FurnaceError('ERR_FORBIDDEN', message) as unknown as FastifyError);
      return;
    }
    const token = readBearer(request.headers);
    if (token !== undefined && deps.isAcceptedToken(token)) {
      done();
      return;
    }
    const message = deps.isRegistered()
      ? 'a valid proxy token is required: call the sidecar through the Furnace server'
      : 'not registered with the Furnace server yet: no proxy token is accepted';
    done(new FurnaceError('ERR_UNAUTHENTICATED', message) as unknown as FastifyError);
  });
}

/** GET /processes's query as a start's selection; a pattern that is no regular expression is refused like a start's. */
function selectionOf(query: ProcessQuery): ProcessSelection {
  const { processPattern, pid, container } = query;
  if (processPattern !== undefined) {
    try {
      new RegExp(processPattern);
    } catch {
      throw new FurnaceError(
        'ERR_INVALID_PARAMETER',
        `processPattern ${JSON.stringify(processPattern)} is invalid: must be a valid regular expression`,
        { field: 'processPattern' },
      );
    }
  }
  return {
    ...(processPattern === undefined ? {} : { processPattern }),
    ...(pid === undefined ? {} : { pid: Number(pid) }),
    ...(container === undefined ? {} : { container }),
  };
}

function registerRecordingRoutes(
  app: FastifyInstance,
  limits: Readonly<RecordingLimits>,
  api: (request: FastifyRequest) => RecordingApi,
): void {
  app.post(
    '/recordings',
    {
      schema: { body: startParamsSchema(limits), response: { 202: recordingStatusSchema, ...errors } },
      // The schema documents the body; the one validator of the contract checks it and applies defaults.
      validatorCompiler: () => (data) => {
        try {
          return { value: validateRecordingParams(data ?? undefined, limits) };
        } catch (error) {
          return { error: error as Error };
        }
      },
    },
    async (request, reply) => {
      const startKey = recorderStartKey(request.headers[START_KEY_HEADER]);
      return reply.status(202).send(await api(request).start(request.body as RecordingParams, startKey));
    },
  );

  app.get('/recordings', { schema: { response: { 200: recordingListSchema, ...errors } } }, (request) => ({
    recordings: api(request).list(),
  }));

  app.get<{ Querystring: ProcessQuery }>(
    '/processes',
    { schema: { querystring: processQuerySchema, response: { 200: processMatchesSchema, ...errors } } },
    (request) => api(request).matchingProcesses(selectionOf(request.query)),
  );

  registerStatusRoute(app, api);

  app.post<{ Params: { id: string } }>(
    '/recordings/:id/stop',
    { schema: { params: idParamsSchema, response: { 200: recordingStatusSchema, ...errors } } },
    (request) => api(request).stop(request.params.id),
  );

  registerResymbolizeRoute(app, api);

  app.get<{ Params: { id: string; name: ArtifactName }; Querystring: { wait?: 'true' } }>(
    '/recordings/:id/artifacts/:name',
    { schema: { params: artifactParamsSchema, querystring: artifactQuerySchema, response: errors } },
    async (request, reply) => {
      const { id, name } = request.params;
      const recordings = api(request);
      // A read that waits answers when the artifact is there (the record page's tree: no poll between).
      if (request.query.wait === 'true') await recordings.whenArtifact?.(id, name);
      // One open file gives the size and the bytes: a file replaced meanwhile (render-artifacts.ts renames a
      // rewritten one onto its name) cannot answer one version's length with the other's bytes.
      const file = await open(recordings.artifactPath(id, name));
      const size = await file.stat().then(
        (stats) => stats.size,
        async (error: unknown) => {
          await file.close();
          throw error;
        },
      );
      return reply
        .type(ARTIFACT_CONTENT_TYPES[name])
        .header('content-length', size)
        .header('x-content-type-options', 'nosniff')
        .send(file.createReadStream());
    },
  );
}

/** GET /recordings/:id, and with ?waitSeconds=N a read held until the recording ends (core/contract/status-wait.ts). */
function registerStatusRoute(app: FastifyInstance, api: (request: FastifyRequest) => RecordingApi): void {
  app.get<{ Params: { id: string }; Querystring: { waitSeconds?: string } }>(
    '/recordings/:id',
    {
      schema: {
        params: idParamsSchema,
        querystring: statusQuerySchema,
        response: { 200: recordingStatusSchema, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const recordings = api(request);
      // A read that waits answers when the recording ends (the operator's rollout watch: no poll between).
      const seconds = readStatusWait(request.query.waitSeconds);
      if (seconds !== undefined) await recordings.whenEnded?.(id, seconds * 1000);
      return recordings.get(id);
    },
  );
}

/** POST /recordings/:id/resymbolize: 202 and the status; the recording's warnings say when its graphs are new. */
function registerResymbolizeRoute(
  app: FastifyInstance,
  api: (request: FastifyRequest) => RecordingApi,
): void {
  app.post<{ Params: { id: string } }>(
    '/recordings/:id/resymbolize',
    { schema: { params: idParamsSchema, response: { 202: recordingStatusSchema, ...errors } } },
    async (request, reply) => {
      const recordings = api(request);
      if (!recordings.resymbolize)
        throw new FurnaceError('ERR_NOT_FOUND', 'this recorder does not symbolize recordings again');
      return reply.code(202).send(recordings.resymbolize(request.params.id));
    },
  );
}
