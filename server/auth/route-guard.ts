// Who may call a route is a fact about the route: every route of the server's listeners names its guard
// in its options (`config.guard`), and one hook (route-guard-hook.ts) enforces it. A route that names
// none makes start-up fail. What a handler learns from the guard (the caller, the recorder's credential,
// the per-namespace filter of a list) it reads with the accessors here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { AccessVerb } from './access.ts';
import type { Identity } from './identity.ts';

/** Where a route's namespace comes from. */
export type NamespaceSource =
  /** A path parameter, e.g. `{ param: 'namespace' }`. */
  | { param: string }
  /** A query parameter (required by the route's schema). */
  | { query: string }
  /** The namespaces of the recordings the route names by `id` (a path or query parameter): a recording the
   * caller may not `get` answers exactly as one that does not exist. */
  | { recordingsIn: 'params' | 'query' }
  /** Asked cluster-wide (a ClusterRoleBinding grants it). */
  | 'cluster'
  /** A list: every item's namespace, filtered by the handler with `mayIn(request)`. */
  | 'each item';

/** A permission on `recordings` (or one of its subresources) in a namespace. */
export interface Permission {
  verb: AccessVerb | ((request: FastifyRequest) => AccessVerb);
  namespace: NamespaceSource;
  /** e.g. `system-wide` for `recordings/system-wide`. */
  subresource?: string;
  /** Appended to a refusal: why the permission is needed and what grants it. */
  hint?: string;
}

export interface Authorize extends Permission {
  /**
   * Permissions that only the body can call for (a start that is system-wide, or runs bpftrace), by name;
   * the handler demands them with `demandOf(request)` once it has read the body.
   */
  demands?: Readonly<Record<string, Permission>>;
}

export type RecorderKind = 'sidecar' | 'agent' | 'uploader';

export interface RecorderGuard {
  recorder: RecorderKind;
  /** The 401's message when the request has no bearer token. */
  missing: string;
  /** The recorder's credential from its bearer token; throws (401, 403) when the token proves nothing. */
  authenticate(token: string, request: FastifyRequest): unknown;
}

export type RouteGuard =
  /** Anyone who reaches the listener: the reason says why that is safe. */
  | { public: string }
  /** Any authenticated user: the reason says why no permission is needed. */
  | { signedIn: string }
  | { authorize: Authorize }
  /** A non-resource URL such as /metrics (SubjectAccessReview on the path, as the API server's own). */
  | { authorizePath: { verb: 'get'; path: string } }
  | RecorderGuard;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (server/auth/route-guard.ts). */
    guard?: RouteGuard;
    /** Checks of the input beyond its schema that answer before the guard does (a 400 before a 403). */
    check?: (request: FastifyRequest) => void;
  }
  interface FastifyRequest {
    /** The caller, set by the route guard of a route that needs one. */
    furnaceIdentity: Identity | null;
    /** The recorder's credential, set by a recorder guard. */
    furnaceRecorder: unknown;
    /** Per-namespace permission of a list route's verb (`each item`). */
    furnaceMay: ((namespace: string) => Promise<boolean>) | null;
    /** The named permissions a route declared in `demands`. */
    furnaceDemand: ((name: string) => Promise<void>) | null;
  }
}

function unguarded(request: FastifyRequest, what: string): FurnaceError {
  return new FurnaceError('ERR_INTERNAL', `route ${request.routeOptions.url ?? request.url} has no ${what}`);
}

/** The caller of a route whose guard authenticates users. */
export function identityOf(request: FastifyRequest): Identity {
  const identity = request.furnaceIdentity;
  if (!identity) throw unguarded(request, 'user guard');
  return identity;
}

/** The credential a recorder guard's `authenticate` returned. */
export function recorderOf<T>(request: FastifyRequest): T {
  if (request.furnaceRecorder === null || request.furnaceRecorder === undefined)
    throw unguarded(request, 'recorder guard');
  return request.furnaceRecorder as T;
}

/** Whether the caller may use the list's verb in a namespace (asked once per namespace and request). */
export function mayIn(request: FastifyRequest): (namespace: string) => Promise<boolean> {
  const may = request.furnaceMay;
  if (!may) throw unguarded(request, 'per-item guard');
  return may;
}

/** Demands one of the permissions the route declared in `demands` (a 403 naming it when refused). */
export function demandOf(request: FastifyRequest): (name: string) => Promise<void> {
  const demand = request.furnaceDemand;
  if (!demand) throw unguarded(request, 'demands');
  return demand;
}

const SCOPE_GUARD = 'furnaceScopeGuard';

/**
 * The guard of every route a plugin registers in `scope` without options of ours (static files, the
 * proxy's wildcard routes); a route's own `config.guard` still wins.
 */
export function guardScope(scope: FastifyInstance, guard: RouteGuard): void {
  scope.decorate(SCOPE_GUARD, { guard } as unknown as () => void);
}

/** The guard a scope declared for its routes, if any (read by the hook at registration). */
export function scopeGuardOf(scope: FastifyInstance): RouteGuard | undefined {
  if (!scope.hasDecorator(SCOPE_GUARD)) return undefined;
  return (scope as unknown as Record<string, { guard: RouteGuard }>)[SCOPE_GUARD]?.guard;
}
