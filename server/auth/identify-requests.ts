// Authentication at the edge: one onRequest hook per scope of user routes asks `Access` who the caller is
// and keeps the answer on the request, so no handler authenticates by hand and no route of the scope can
// forget to. A failure answers 401 (or 503 when the API server cannot be asked) before the body is read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { Access } from './access.ts';
import type { Identity } from './identity.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the identifying hook (identifyRequests) before any handler of its scope runs. */
    furnaceIdentity: Identity | null;
  }
}

/** Every route registered in `scope` (and its children) runs with the caller's identity known. */
export function identifyRequests(scope: FastifyInstance, access: Pick<Access, 'authenticate'>): void {
  if (!scope.hasRequestDecorator('furnaceIdentity')) scope.decorateRequest('furnaceIdentity', null);
  scope.addHook('onRequest', async (request) => {
    request.furnaceIdentity = await access.authenticate(request.headers, request.ip);
  });
}

/** The caller of a route in an identified scope. */
export function identityOf(request: FastifyRequest): Identity {
  const identity = request.furnaceIdentity;
  if (!identity)
    throw new FurnaceError(
      'ERR_INTERNAL',
      `route ${request.routeOptions.url ?? request.url} has no identity hook`,
    );
  return identity;
}
