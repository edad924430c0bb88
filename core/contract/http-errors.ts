// How every Furnace HTTP API (server, webhook, sidecar) turns a failure into an answer, and the two
// small credential helpers they share. Fastify appears only as a type: core stays free of it at run time.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FurnaceError, toErrorBody, type ErrorCode } from './errors.ts';

/** The JSON schema of `ErrorBody`, for route response schemas. */
export const errorBodySchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

/** The token of an `Authorization: Bearer <token>` header, if that is what the request carries. */
export function readBearer(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): string | undefined {
  const value = headers.authorization;
  if (typeof value !== 'string') return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1];
}

/** Compares two secrets in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What Fastify (and ajv) put on an error; only the fields read here. */
interface FrameworkError {
  message?: string;
  statusCode?: number;
  validationContext?: string;
  validation?: {
    keyword?: string;
    instancePath?: string;
    message?: string;
    params?: Record<string, unknown>;
  }[];
}

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'ERR_INVALID_PARAMETER',
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_NOT_FOUND',
  413: 'ERR_PAYLOAD_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  503: 'ERR_UNAVAILABLE',
};

type Sources = Pick<FastifyRequest, 'body' | 'params' | 'query'>;

type Validation = NonNullable<FrameworkError['validation']>[number];

function valueAt(source: unknown, dotted: string): unknown {
  let value = source;
  for (const key of dotted.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Which field a schema rejection is about, and the value it had. */
function locate(
  first: Validation | undefined,
  context: string,
  request: Sources,
): { field: string; value: unknown } {
  const params = first?.params ?? {};
  const path = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
  const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
  const source =
    context === 'params' ? request.params : context === 'querystring' ? request.query : request.body;
  const join = (name: string): string => (path ? `${path}.${name}` : name);
  // A missing field has no value; a named one shows its own; otherwise the whole input is the value.
  if (missing !== undefined) return { field: join(missing), value: undefined };
  const named = extra === undefined ? path : join(extra);
  if (named) return { field: named, value: valueAt(source, named) };
  return { field: context, value: source };
}

/** An artifact name in a path is its own kind of mistake; everything else is a bad parameter. */
function codeFor(context: string, field: string): ErrorCode {
  return context === 'params' && field === 'name' ? 'ERR_INVALID_ARTIFACT' : 'ERR_INVALID_PARAMETER';
}

/** A schema rejection as the same error the core validators throw: the field, its value and the limit. */
function fromValidation(error: FrameworkError, request: Sources): FurnaceError {
  const first = error.validation?.[0];
  const context = error.validationContext ?? 'body';
  const params = first?.params ?? {};
  const { field, value } = locate(first, context, request);
  const shown = `${field}${value === undefined ? '' : ` ${JSON.stringify(value)}`}`;
  const code = codeFor(context, field);
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
    case 'required':
      return new FurnaceError(code, `${field} is required`, { field, allowed: 'required' });
    default: {
      const allowed = first?.message ?? 'invalid';
      return new FurnaceError(code, `${shown} is invalid: ${allowed}`, { field, value, allowed });
    }
  }
}

/** Any error a route or the framework throws, as a FurnaceError; nothing internal leaks into the message. */
export function toFurnaceError(error: unknown, request: Sources): FurnaceError {
  if (error instanceof FurnaceError) return error;
  const failure = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  if (failure.validation !== undefined) return fromValidation(failure, request);
  const status = failure.statusCode ?? 500;
  const code = BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'ERR_INVALID_PARAMETER' : undefined);
  if (code !== undefined) return new FurnaceError(code, failure.message ?? code);
  return new FurnaceError('ERR_INTERNAL', 'internal error');
}

/** One error and not-found handler: every answer is an `ErrorBody` with the status of its code. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const failure = toFurnaceError(error, request);
    if (failure.status >= 500) request.log.error({ err: error }, failure.message);
    const retryAfter = failure.details.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    return reply.code(failure.status).type('application/json').send(toErrorBody(failure));
  });
  app.setNotFoundHandler((request, reply) => {
    const failure = new FurnaceError(
      'ERR_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}`,
    );
    return reply.code(404).type('application/json').send(toErrorBody(failure));
  });
}
