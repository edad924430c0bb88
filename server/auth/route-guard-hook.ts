// The one enforcer of route guards (route-guard.ts). At registration, every route must name a guard (its
// own `config.guard`, or its scope's): start-up fails on one that does not. At request time: users are
// authenticated on `onRequest` (a 401 before the body is read), permissions are checked first among the
// `preHandler` hooks (after schema validation and the route's own `check`), recorders prove their bearer
// token the same way. Lists get a per-namespace filter instead of one check.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { readBearer } from '../../core/contract/http-errors.ts';
import type { Access } from './access.ts';
import type { Identity } from './identity.ts';
import {
  scopeGuardOf,
  type Authorize,
  type NamespaceSource,
  type Permission,
  type RecorderGuard,
  type RouteGuard,
} from './route-guard.ts';

export interface GuardDeps {
  /** Users' identities and permissions; a listener without it (the recorder one) takes no user routes. */
  access?: Pick<Access, 'authenticate' | 'allows' | 'allowsPath' | 'require'>;
  /** The namespace of a catalogued recording (`recordingsIn` sources). */
  recordingNamespace?: (id: string) => string | undefined;
}

/** A route as the guard hook saw it at registration. */
export interface GuardedRoute {
  method: string;
  url: string;
  guard: RouteGuard;
}

const seen = new WeakMap<FastifyInstance, GuardedRoute[]>();

/** Every route registered on `app` so far, with its guard. */
export function guardedRoutes(app: FastifyInstance): readonly GuardedRoute[] {
  return seen.get(app) ?? [];
}

function needsUser(guard: RouteGuard): boolean {
  return 'signedIn' in guard || 'authorize' in guard || 'authorizePath' in guard;
}

function methodsOf(route: RouteOptions): string {
  return [route.method].flat().join(',');
}

/** Installs the guard of every route of `app` (call before any route is registered). */
export function installRouteGuards(app: FastifyInstance, deps: GuardDeps): void {
  const routes: GuardedRoute[] = [];
  seen.set(app, routes);
  for (const name of ['furnaceIdentity', 'furnaceRecorder', 'furnaceMay', 'furnaceDemand'] as const)
    if (!app.hasRequestDecorator(name)) app.decorateRequest(name, null);
  app.addHook('onRoute', function (this: FastifyInstance, route) {
    const guard = route.config?.guard ?? scopeGuardOf(this);
    if (!guard)
      throw new Error(
        `route ${methodsOf(route)} ${route.url} declares no guard (server/auth/route-guard.ts)`,
      );
    if (needsUser(guard) && !deps.access)
      throw new Error(`route ${methodsOf(route)} ${route.url} needs users on a listener without them`);
    route.config = { ...route.config, guard };
    routes.push({ method: methodsOf(route), url: route.url, guard });
  });
  app.addHook('onRequest', async (request) => {
    const guard = request.routeOptions.config.guard;
    // No guard: the not-found handler (every route has one, or start-up failed).
    if (guard && needsUser(guard) && deps.access)
      request.furnaceIdentity = await deps.access.authenticate(request.headers, request.ip);
  });
  app.addHook('preHandler', async (request) => {
    const { guard, check } = request.routeOptions.config;
    if (!guard) return;
    check?.(request);
    if ('recorder' in guard) request.furnaceRecorder = await authenticateRecorder(guard, request);
    else if ('authorize' in guard) await authorize(deps, guard.authorize, request);
    else if ('authorizePath' in guard) await authorizePath(deps, guard.authorizePath, request);
  });
}

async function authenticateRecorder(guard: RecorderGuard, request: FastifyRequest): Promise<unknown> {
  const token = readBearer(request.headers);
  if (!token) throw new FurnaceError('ERR_UNAUTHENTICATED', guard.missing);
  return await guard.authenticate(token, request);
}

async function authorizePath(
  deps: GuardDeps,
  { verb, path }: { verb: 'get'; path: string },
  request: FastifyRequest,
): Promise<void> {
  const identity = request.furnaceIdentity as Identity;
  if (!(await deps.access!.allowsPath(identity, verb, path)))
    throw new FurnaceError('ERR_FORBIDDEN', `${identity.user} may not ${verb} ${path}`, { verb, path });
}

function recordingIds(request: FastifyRequest, where: 'params' | 'query'): string[] {
  const id = (request[where] as { id?: string | string[] }).id ?? [];
  return [...new Set([id].flat())];
}

function notCatalogued(id: string): FurnaceError {
  return new FurnaceError('ERR_NOT_FOUND', `recording ${id} is not in the catalog`, { id });
}

/** The namespaces a permission is asked in; recordings the caller may not `get` are refused as missing. */
async function namespacesOf(
  deps: GuardDeps,
  source: Exclude<NamespaceSource, 'each item'>,
  request: FastifyRequest,
  identity: Identity,
): Promise<string[]> {
  if (source === 'cluster') return [''];
  if ('param' in source) return [(request.params as Record<string, string>)[source.param] ?? ''];
  if ('query' in source) return [(request.query as Record<string, string>)[source.query] ?? ''];
  const namespaces: string[] = [];
  for (const id of recordingIds(request, source.recordingsIn)) {
    const namespace = deps.recordingNamespace?.(id);
    if (namespace === undefined || !(await deps.access!.allows(identity, 'get', namespace)))
      throw notCatalogued(id);
    namespaces.push(namespace);
  }
  return namespaces;
}

async function requirePermission(
  deps: GuardDeps,
  permission: Permission,
  request: FastifyRequest,
): Promise<void> {
  const identity = request.furnaceIdentity as Identity;
  const { namespace: source, subresource, hint } = permission;
  const verb = typeof permission.verb === 'function' ? permission.verb(request) : permission.verb;
  if (source === 'each item') return;
  for (const namespace of await namespacesOf(deps, source, request, identity)) {
    try {
      await deps.access!.require(identity, verb, namespace, subresource);
    } catch (error) {
      if (!hint || !(error instanceof FurnaceError) || error.code !== 'ERR_FORBIDDEN') throw error;
      throw new FurnaceError('ERR_FORBIDDEN', `${error.message}: ${hint}`, { ...error.details });
    }
  }
}

async function authorize(deps: GuardDeps, rule: Authorize, request: FastifyRequest): Promise<void> {
  const identity = request.furnaceIdentity as Identity;
  const access = deps.access!;
  if (rule.namespace === 'each item') {
    const verb = typeof rule.verb === 'function' ? rule.verb(request) : rule.verb;
    const asked = new Map<string, Promise<boolean>>();
    request.furnaceMay = (namespace) => {
      let may = asked.get(namespace);
      if (may === undefined) {
        may = access.allows(identity, verb, namespace);
        asked.set(namespace, may);
      }
      return may;
    };
    return;
  }
  const { demands } = rule;
  if (demands)
    request.furnaceDemand = async (name) => {
      const permission = demands[name];
      if (!permission) throw new FurnaceError('ERR_INTERNAL', `the route declares no demand ${name}`);
      await requirePermission(deps, permission, request);
    };
  await requirePermission(deps, rule, request);
}
