// The routes of a namespace's symbol files. User listener (and the aggregated API, `…/namespaces/NS/symbols`):
// upload (`create` on recordings/symbols), list (`get` on recordings), delete (`delete` on
// recordings/symbols). Recorder listener: a recorder reads its namespace's file of a build id in a
// debuginfod server's layout under the recording it symbolizes; the namespace is the one its token proves
// (a sidecar's registration, an agent's grant for that recording), never one it names.
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { RECORDING_ID_PATTERN } from '../../core/contract/recording.ts';
import {
  BUILD_ID_PATTERN,
  SYMBOLS_PATH,
  SYMBOLS_SUBRESOURCE,
  symbolListSchema,
  symbolUploadSchema,
} from '../../core/contract/symbols.ts';
import { writeAudit } from '../operations/audit.ts';
import { identityOf, recorderOf, type RouteGuard } from '../auth/route-guard.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';
import type { RecordingOwner } from '../catalog/catalog-store.ts';
import { uploaderGuard, type CatalogRouteDeps } from '../catalog/catalog-routes.ts';
import { withUploadDeadline } from '../catalog/upload-deadline.ts';
import type { ListenerRoutes } from '../listeners/listener-routes.ts';
import type { SymbolFiles } from './symbol-files.ts';

export interface SymbolRouteDeps extends Pick<CatalogRouteDeps, 'registry' | 'agentUploader'> {
  files: SymbolFiles;
  /** `recorder.uploadTimeoutSeconds`: the longest an upload's body may take. */
  uploadTimeoutSeconds: number;
}

const NAMESPACE_QUERY = {
  type: 'object',
  required: ['namespace'],
  properties: { namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' } },
  additionalProperties: false,
} as const;

const HINT =
  'uploading or deleting symbol files of a namespace needs this permission (ClusterRole furnace-recorder grants it, bound in the namespace)';

const changeGuard = (verb: 'create' | 'delete'): RouteGuard => ({
  authorize: { verb, namespace: { query: 'namespace' }, subresource: SYMBOLS_SUBRESOURCE, hint: HINT },
});

function registerUpload(app: FastifyInstance, deps: SymbolRouteDeps): void {
  void app.register((scope, _options, done) => {
    // The body streams to a temp file whatever its content type (symbol-upload.ts); nothing parses it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, next) => next(null, payload));
    typedRoutes(scope).post(
      SYMBOLS_PATH,
      {
        schema: {
          querystring: NAMESPACE_QUERY,
          response: { 200: symbolUploadSchema, 201: symbolUploadSchema },
        },
        config: { guard: changeGuard('create') },
      },
      async (request, reply) => {
        const { namespace } = request.query;
        const raw = (request.body as Readable | undefined) ?? request.raw;
        const declared = Number(request.headers['content-length'] ?? Number.NaN);
        const { body, clear } = withUploadDeadline(raw, deps.uploadTimeoutSeconds);
        try {
          const upload = await deps.files.upload(
            namespace,
            body,
            Number.isSafeInteger(declared) ? declared : undefined,
          );
          writeAudit(request.log, {
            action: 'upload-symbols',
            identity: identityOf(request),
            namespace,
            buildId: upload.buildId,
            outcome: upload.stored ? 201 : 200,
          });
          return await reply.code(upload.stored ? 201 : 200).send(upload);
        } catch (error) {
          // A refused upload leaves its body unread: the connection ends with the answer.
          void reply.header('connection', 'close');
          throw error;
        } finally {
          clear();
        }
      },
    );
    done();
  });
}

function registerUserRoutes(app: FastifyInstance, deps: SymbolRouteDeps): void {
  registerUpload(app, deps);
  typedRoutes(app).get(
    SYMBOLS_PATH,
    {
      schema: { querystring: NAMESPACE_QUERY, response: { 200: symbolListSchema } },
      config: { guard: { authorize: { verb: 'get', namespace: { query: 'namespace' } } } },
    },
    (request) => deps.files.list(request.query.namespace),
  );
  typedRoutes(app).delete(
    `${SYMBOLS_PATH}/:buildId`,
    {
      schema: {
        querystring: NAMESPACE_QUERY,
        params: {
          type: 'object',
          required: ['buildId'],
          properties: { buildId: { type: 'string', pattern: BUILD_ID_PATTERN } },
        },
        response: { 204: { type: 'null' } },
      },
      config: { guard: changeGuard('delete') },
    },
    async (request, reply) => {
      const { namespace } = request.query;
      const { buildId } = request.params;
      if (!(await deps.files.remove(namespace, buildId)))
        throw new FurnaceError('ERR_NOT_FOUND', `namespace ${namespace} has no symbol file ${buildId}`, {
          buildId,
        });
      writeAudit(request.log, {
        action: 'delete-symbols',
        identity: identityOf(request),
        namespace,
        buildId,
      });
      return reply.code(204).send();
    },
  );
}

function registerRecorderRoute(app: FastifyInstance, deps: SymbolRouteDeps): void {
  typedRoutes(app).get(
    '/api/v1/recordings/:id/symbols/buildid/:buildId/debuginfo',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'buildId'],
          properties: {
            id: { type: 'string', pattern: RECORDING_ID_PATTERN },
            buildId: { type: 'string', pattern: BUILD_ID_PATTERN },
          },
        },
      },
      config: { guard: uploaderGuard(deps) },
    },
    async (request, reply) => {
      const { namespace } = recorderOf<RecordingOwner>(request);
      const { buildId } = request.params;
      const file = await deps.files.open(namespace, buildId);
      if (!file)
        throw new FurnaceError('ERR_NOT_FOUND', `namespace ${namespace} has no symbol file ${buildId}`, {
          buildId,
        });
      void reply.type('application/octet-stream').header('content-length', file.bytes);
      return reply.send(file.body);
    },
  );
}

export function symbolRoutes(deps: SymbolRouteDeps): ListenerRoutes {
  return {
    user: (scope) => registerUserRoutes(scope, deps),
    recorder: (scope) => registerRecorderRoute(scope, deps),
  };
}
