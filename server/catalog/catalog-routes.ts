// The catalog API: list, read, download and delete for users (the user listener); metadata and
// artifact uploads for the sidecar that owns a recording, proven by its upload token, never the proxy token
// (the recorder listener). Users are authenticated before anything is looked up, and an entry the caller may not
// `get` answers exactly like one that does not exist.
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { ARTIFACT_CONTENT_TYPES, ARTIFACT_NAMES, type ArtifactName } from '../../core/contract/names.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import {
  RECORDING_ID_PATTERN,
  recordingStatusSchema,
  type CatalogEntry,
  type RecordingStatus,
} from '../../core/contract/recording.ts';
import { errorBodySchema } from '../../core/contract/http-errors.ts';
import { MAX_BASELINE_KEY } from '../../core/compare/baseline-workload.ts';
import { writeCatalogAudit } from '../operations/audit.ts';
import { ANSWER_CSP } from '../answer-csp.ts';
import type { Registry } from '../registry/lease-registry.ts';
import type { Catalog, RecordingOwner } from './catalog-store.ts';
import type { WorkloadNaming } from './workload-naming.ts';
import { paginate } from './pagination.ts';
import { withUploadDeadline } from './upload-deadline.ts';
import { catalogEntrySchema, catalogPageSchema } from './catalog-schemas.ts';
import { identityOf, mayIn, recorderOf, type RouteGuard } from '../auth/route-guard.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

/** The sidecar says a stop came; the server knows from whom (never taken from the upload). */
function withStopper(status: RecordingStatus, stopper: string | undefined): RecordingStatus {
  const said = 'stopped on request';
  if (stopper === undefined || !status.endReason?.startsWith(said)) return status;
  return { ...status, endReason: `stopped by ${stopper}${status.endReason.slice(said.length)}` };
}

export interface CatalogRouteDeps {
  catalog: Catalog;
  registry: Registry;
  /** The limits of a namespace (namespaceLimits over limits); uploads are held to maxArtifactBytes. */
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  onRecordingUpdated: (entry: CatalogEntry, previous: CatalogEntry | undefined) => void;
  /** The pod an upload grant was made for, when the token is that recording's grant (agent mode; none without). */
  agentUploader: (token: string, recordingId: string) => RecordingOwner | undefined;
  /** `recorder.uploadTimeoutSeconds`: the longest an artifact upload's body may take. */
  uploadTimeoutSeconds: number;
  /** Who started recording `id` on the uploader's pod through the proxy, when this server saw it. */
  starterOf: (id: string, owner: RecordingOwner) => string | undefined;
  /** Who stopped the recording through the server, if anyone did: its endReason then names them. */
  stopperOf: (id: string, owner: RecordingOwner) => string | undefined;
  /** Whether this replica leads the single-writer chores (retention after an upload). */
  isLeader: () => boolean;
  /** What a pin's key looks like in this mode: the list's `?baselineOf=` is checked by it. */
  workloads: Pick<WorkloadNaming, 'listedKey'>;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: RECORDING_ID_PATTERN } },
} as const;

const artifactParams = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string', pattern: RECORDING_ID_PATTERN },
    name: { type: 'string', enum: [...ARTIFACT_NAMES] },
  },
} as const;

const listQuery = {
  type: 'object',
  properties: {
    namespace: { type: 'string', minLength: 1, maxLength: 253 },
    pod: { type: 'string', minLength: 1, maxLength: 253 },
    /**
     * Only the recording pinned under this key: a workload (`deployment/web`, what the operator's watch
     * reads) or, in local mode, a program (`pattern/<processPattern>`); its shape is the mode's
     * (workload-naming.ts `listedKey`).
     */
    baselineOf: { type: 'string', minLength: 1, maxLength: MAX_BASELINE_KEY },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    continue: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
} as const;

/**
 * The uploader: a sidecar by its registration's upload token, or an agent by the grant of this recording
 * (`:id`). Also the guard of a recorder's reads of its namespace's symbol files (server/symbols/).
 */
export function uploaderGuard(deps: Pick<CatalogRouteDeps, 'registry' | 'agentUploader'>): RouteGuard {
  const refused = 'uploads need the upload token of a registered sidecar, or the grant of this recording';
  return {
    recorder: 'uploader',
    missing: refused,
    authenticate(token, request): RecordingOwner {
      const recordingId = (request.params as { id: string }).id;
      const registration = deps.registry.findByUploadToken(token);
      const granted = registration ? undefined : deps.agentUploader(token, recordingId);
      if (granted) return granted;
      if (!registration) throw new FurnaceError('ERR_UNAUTHENTICATED', refused);
      const owner: RecordingOwner = { namespace: registration.namespace, pod: registration.pod };
      if (registration.podUid !== undefined) owner.podUid = registration.podUid;
      return owner;
    },
  };
}

/**
 * A catalogued entry the route guard let through (`recordingsIn`); the same 404 as a missing one when it
 * went since.
 */
export function catalogued(catalog: Catalog, id: string): CatalogEntry {
  const entry = catalog.get(id);
  if (entry) return entry;
  throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} is not in the catalog`, { id });
}

/** Reads: `get` in the recording's namespace, and a recording the caller may not read is not there. */
const READ_GUARD: RouteGuard = { authorize: { verb: 'get', namespace: { recordingsIn: 'params' } } };

/**
 * The UI's flame tree goes to a client that takes gzip as gzip-encoded bytes, so a browser inflates it in
 * its network stack rather than on the page's thread; the bytes are the file's. Only the flame tree: a
 * download such as profile.pb.gz must arrive gzipped, as the file its name says (a browser or fetch
 * would unpack a gzip-encoded answer).
 */
function gzipEncoded(name: ArtifactName, acceptEncoding: string | string[] | undefined): boolean {
  return name === 'flame-tree.bin.gz' && /(^|[\s,])gzip\b/.test(String(acceptEncoding ?? ''));
}

/** Reads and deletes for users: the user listener. */
export function registerCatalogUserRoutes(app: FastifyInstance, deps: CatalogRouteDeps): void {
  const { catalog } = deps;
  typedRoutes(app).get(
    '/api/v1/recordings',
    {
      schema: { querystring: listQuery, response: { 200: catalogPageSchema } },
      config: { guard: { authorize: { verb: 'get', namespace: 'each item' } } },
    },
    async (request) => {
      const may = mayIn(request);
      const { namespace, pod, limit } = request.query;
      const asked = request.query.baselineOf;
      const baselineOf = asked === undefined ? undefined : deps.workloads.listedKey(asked);
      const entries = catalog.entries({ ...(namespace ? { namespace } : {}), ...(pod ? { pod } : {}) });
      const shown = (entry: CatalogEntry) =>
        (baselineOf === undefined || entry.baselineOf === baselineOf) && may(entry.namespace);
      return paginate(entries, shown, limit, request.query.continue);
    },
  );
  typedRoutes(app).get(
    '/api/v1/recordings/:id',
    {
      schema: { params: idParams, response: { 200: catalogEntrySchema, 404: errorBodySchema } },
      config: { guard: READ_GUARD },
    },
    (request) => catalogued(catalog, request.params.id),
  );
  registerArtifactDownloadRoute(app, deps);
  typedRoutes(app).delete(
    '/api/v1/recordings/:id',
    {
      schema: { params: idParams, response: { 204: { type: 'null' } } },
      config: { guard: { authorize: { verb: 'delete', namespace: { recordingsIn: 'params' } } } },
    },
    async (request, reply) => {
      const identity = identityOf(request);
      const entry = catalogued(catalog, request.params.id);
      await catalog.remove(entry.id);
      writeCatalogAudit(request.log, identity, { action: 'delete', entry });
      return reply.code(204).send();
    },
  );
}

function registerArtifactDownloadRoute(app: FastifyInstance, { catalog }: CatalogRouteDeps): void {
  typedRoutes(app).get(
    '/api/v1/recordings/:id/artifacts/:name',
    { schema: { params: artifactParams }, config: { guard: READ_GUARD } },
    async (request, reply) => {
      const { id, name } = request.params;
      const identity = identityOf(request);
      const entry = catalogued(catalog, id);
      const artifact = await catalog.openArtifact(id, name);
      if (artifact === undefined) {
        const why = entry.arriving?.includes(name)
          ? `: it is still arriving from the recorder (retry later)`
          : '';
        throw new FurnaceError('ERR_NOT_FOUND', `recording ${id} has no artifact ${name}${why}`, {
          id,
          name,
        });
      }
      writeCatalogAudit(request.log, identity, { action: 'download', entry, artifact: name });
      if (gzipEncoded(name, request.headers['accept-encoding']))
        void reply.header('content-encoding', 'gzip').type('application/octet-stream');
      else void reply.type(ARTIFACT_CONTENT_TYPES[name]);
      void reply
        .header('vary', 'accept-encoding')
        .header('content-length', artifact.bytes)
        .header('content-disposition', `attachment; filename="${id}-${name}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', ANSWER_CSP);
      return reply.send(artifact.body);
    },
  );
}

/** Metadata and artifact uploads from sidecars: the recorder listener. */
export function registerCatalogUploadRoutes(app: FastifyInstance, deps: CatalogRouteDeps): void {
  const guard = uploaderGuard(deps);
  registerMetadataUploadRoute(app, deps, guard);
  registerArtifactUploadRoute(app, deps, guard);
}

function registerMetadataUploadRoute(app: FastifyInstance, deps: CatalogRouteDeps, guard: RouteGuard): void {
  const { catalog } = deps;
  // The one route typed by hand: recordingStatusSchema (core/contract) leaves params.profiler optional,
  // which RecordingStatus requires; the schema's type would be refused where the catalog takes a status.
  // eslint-disable-next-line no-restricted-syntax
  app.put<{ Params: { id: string }; Body: RecordingStatus }>(
    '/api/v1/recordings/:id',
    {
      schema: { params: idParams, body: recordingStatusSchema, response: { 200: catalogEntrySchema } },
      config: { guard },
    },
    async (request) => {
      const owner = recorderOf<RecordingOwner>(request);
      if (request.body.id !== request.params.id) {
        throw new FurnaceError(
          'ERR_INVALID_PARAMETER',
          `body id ${request.body.id} differs from the path id ${request.params.id}`,
          { field: 'id' },
        );
      }
      const previous = catalog.get(request.params.id);
      const stopper = deps.stopperOf(request.params.id, owner);
      const entry = await catalog.putMetadata(
        withStopper(request.body, stopper),
        owner,
        deps.starterOf(request.params.id, owner),
      );
      deps.onRecordingUpdated(entry, previous && { ...previous });
      return entry;
    },
  );
}

function registerArtifactUploadRoute(app: FastifyInstance, deps: CatalogRouteDeps, guard: RouteGuard): void {
  const { catalog } = deps;
  void app.register((scope, _options, done) => {
    // Artifact bodies stream to disk whatever their content type; nothing parses them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    typedRoutes(scope).put(
      '/api/v1/recordings/:id/artifacts/:name',
      { schema: { params: artifactParams }, config: { guard } },
      async (request, reply) => {
        const owner = recorderOf<RecordingOwner>(request);
        const raw = (request.body as Readable | undefined) ?? request.raw;
        const declared = Number(request.headers['content-length'] ?? Number.NaN);
        const { body, clear } = withUploadDeadline(raw, deps.uploadTimeoutSeconds);
        try {
          const bytes = await catalog.putArtifact(request.params.id, request.params.name, body, {
            owner,
            maxBytes: deps.limitsFor(owner.namespace).maxArtifactBytes,
            declaredBytes: Number.isSafeInteger(declared) ? declared : undefined,
          });
          if (deps.isLeader()) await catalog.applyRetention();
          return await reply.code(201).send({ name: request.params.name, bytes });
        } catch (error) {
          // An upload cut off (timeout, quota) leaves its body unread: the connection ends with the answer.
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
