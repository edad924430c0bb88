// One error handler for the API: FurnaceError codes map to statuses, everything else to a code.
import type { FastifyError, FastifyInstance } from 'fastify';
import { FurnaceError, toErrorBody, type ErrorCode } from '../core/errors.ts';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'ERR_INVALID_PARAMETER',
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_NOT_FOUND',
  413: 'ERR_PAYLOAD_TOO_LARGE',
  415: 'ERR_INVALID_PARAMETER',
  503: 'ERR_UNAVAILABLE',
};

export function toFurnaceError(error: unknown): FurnaceError {
  if (error instanceof FurnaceError) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return new FurnaceError('ERR_INVALID_PARAMETER', fastifyError.message ?? 'invalid request', {
      context: fastifyError.validationContext,
    });
  }
  const status = fastifyError.statusCode ?? 500;
  const code = BY_STATUS[status];
  if (code) return new FurnaceError(code, fastifyError.message ?? code);
  return new FurnaceError('ERR_INTERNAL', 'internal server error');
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const failure = toFurnaceError(error);
    if (failure.status >= 500) request.log.error({ err: error }, failure.message);
    return reply.code(failure.status).type('application/json').send(toErrorBody(failure));
  });
  app.setNotFoundHandler((request, reply) => {
    const failure = new FurnaceError(
      'ERR_NOT_FOUND',
      `no route ${request.method} ${request.url.split('?')[0]}`,
    );
    return reply.code(404).send(toErrorBody(failure));
  });
}
