// Who the caller is and what they may do: auth modes `kubernetes`, `proxy` and `none`.
import type { IncomingHttpHeaders } from 'node:http';
import { FurnaceError } from '../../core/contract/errors.ts';
import { readBearer } from '../../core/contract/http-errors.ts';
import { API_GROUP, RECORDINGS_RESOURCE } from '../../core/contract/names.ts';
import type { KubeGateway } from '../kube/kube-gateway.ts';
import { createTokenCache, type TokenCache } from '../kube/token-cache.ts';
import { frontProxyIdentityOf } from './front-proxy.ts';
import { readSessionCookie } from './session-cookie.ts';
import { createSessionStore, DEFAULT_SESSION_SECONDS, type SessionStore } from './session-store.ts';
import type { Identity } from './identity.ts';

export const AUTH_MODES = ['kubernetes', 'proxy', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
/** Reading anything (lists included) checks `get`; `list` is never asked (docs/security.md). */
export type AccessVerb = 'create' | 'get' | 'delete';

export interface AccessOptions {
  mode: AuthMode;
  /** Header names an oauth-proxy in front sets (mode `proxy`). */
  userHeader: string;
  groupsHeader: string;
  kube?: KubeGateway;
  now: () => number;
  /** TokenReview cache shared with registration (main.ts); a private one with default settings if unset. */
  tokens?: TokenCache;
  /** `auth.sessionSeconds`: how long a browser's sign-in lasts (8 hours if unset). */
  sessionSeconds?: number;
  /** N replicas: sessions in the Kubernetes API (session-shared-store.ts); else in this process's memory. */
  sessions?: SessionStore;
}

export interface Access {
  readonly mode: AuthMode;
  /** Browser sign-ins: the cookie's id to the token (mode `kubernetes`). */
  readonly sessions: SessionStore;
  /** `client` (the caller's address) keys the budget of failed token reviews (token-cache.ts). */
  authenticate(headers: IncomingHttpHeaders, client?: string): Promise<Identity>;
  /** `subresource` of recordings, e.g. `system-wide` for `recordings/system-wide`. */
  allows(identity: Identity, verb: AccessVerb, namespace: string, subresource?: string): Promise<boolean>;
  /** SubjectAccessReview on a non-resource URL such as /metrics. */
  allowsPath(identity: Identity, verb: 'get', path: string): Promise<boolean>;
  /** Throws ERR_FORBIDDEN naming the verb, the resource and the namespace. */
  require(identity: Identity, verb: AccessVerb, namespace: string, subresource?: string): Promise<void>;
}

const ANONYMOUS: Identity = { user: 'anonymous', groups: [] };
const DECISION_TTL_MS = 10_000;

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function unauthenticated(message: string): FurnaceError {
  return new FurnaceError('ERR_UNAUTHENTICATED', message);
}

export function createAccess(options: AccessOptions): Access {
  return new SubjectAccess(options);
}

/** The identity as a SubjectAccessReview names it (no `extra` key when it has none). */
function subjectOf(identity: Identity): Identity {
  return {
    user: identity.user,
    groups: identity.groups,
    ...(identity.extra ? { extra: identity.extra } : {}),
  };
}

/** Access decided by SubjectAccessReviews (cached for DECISION_TTL_MS), or allowed to all in mode `none`. */
class SubjectAccess implements Access {
  readonly mode: AuthMode;
  readonly sessions: SessionStore;
  readonly #options: AccessOptions;
  readonly #tokens: TokenCache;
  readonly #kube: KubeGateway | undefined;
  readonly #decisions = new Map<string, { allowed: boolean; until: number }>();

  constructor(options: AccessOptions) {
    this.mode = options.mode;
    this.#options = options;
    this.#tokens = options.tokens ?? createTokenCache({ now: options.now });
    this.#kube = options.kube;
    this.sessions =
      options.sessions ??
      createSessionStore({ now: options.now, ttlSeconds: options.sessionSeconds ?? DEFAULT_SESSION_SECONDS });
    // Mode `proxy` believes who the oauth-proxy says the user is, never what they may do.
    if (options.mode !== 'none' && !this.#kube)
      throw new Error(`auth mode ${options.mode} needs a Kubernetes client for SubjectAccessReview`);
  }

  authenticate(headers: IncomingHttpHeaders, client?: string): Promise<Identity> {
    if (this.mode === 'none') return Promise.resolve(ANONYMOUS);
    // The API server's word, over its front-proxy certificate (aggregated API; front-proxy.ts).
    const vouched = frontProxyIdentityOf(headers);
    if (vouched) return Promise.resolve(vouched);
    if (this.mode === 'kubernetes') return this.#authenticateToken(headers, client);
    const { userHeader, groupsHeader } = this.#options;
    const user = headerValue(headers, userHeader);
    if (!user) return Promise.reject(unauthenticated(`the ${userHeader} header is missing`));
    const groups = (headerValue(headers, groupsHeader) ?? '')
      .split(',')
      .map((group) => group.trim())
      .filter((group) => group !== '');
    return Promise.resolve({ user, groups });
  }

  allows(identity: Identity, verb: AccessVerb, namespace: string, subresource?: string): Promise<boolean> {
    return this.#decide(identity, [verb, namespace, subresource], (kube) =>
      kube.checkAccess({
        ...subjectOf(identity),
        verb,
        namespace,
        group: API_GROUP,
        resource: RECORDINGS_RESOURCE,
        ...(subresource ? { subresource } : {}),
      }),
    );
  }

  allowsPath(identity: Identity, verb: 'get', path: string): Promise<boolean> {
    return this.#decide(identity, [verb, '', path], (kube) =>
      kube.checkPathAccess({ ...subjectOf(identity), verb, path }),
    );
  }

  async require(
    identity: Identity,
    verb: AccessVerb,
    namespace: string,
    subresource?: string,
  ): Promise<void> {
    if (await this.allows(identity, verb, namespace, subresource)) return;
    const resource = subresource
      ? `${RECORDINGS_RESOURCE}/${subresource} (API group ${API_GROUP})`
      : `${RECORDINGS_RESOURCE}.${API_GROUP}`;
    throw new FurnaceError(
      'ERR_FORBIDDEN',
      `${identity.user} may not ${verb} ${resource} ${namespace === '' ? 'cluster-wide' : `in namespace ${namespace}`}`,
      {
        verb,
        namespace,
        ...(subresource ? { resource: `${RECORDINGS_RESOURCE}/${subresource}` } : {}),
      },
    );
  }

  async #authenticateToken(headers: IncomingHttpHeaders, client?: string): Promise<Identity> {
    // The UI signs in once; its HttpOnly cookie names a session, which holds the token (session-store.ts).
    const session = readSessionCookie(headers);
    const token =
      readBearer(headers) ?? (session === undefined ? undefined : await this.sessions.tokenOf(session));
    const kube = this.#kube;
    if (!token || !kube) throw unauthenticated('a Bearer token is required');
    const result = await this.#tokens.review(token, (t) => kube.reviewToken(t), { client });
    if (!result.authenticated || !result.username)
      throw unauthenticated('the token was not accepted by the Kubernetes API server');
    return {
      user: result.username,
      groups: result.groups ?? [],
      ...(result.extra && Object.keys(result.extra).length > 0 ? { extra: result.extra } : {}),
    };
  }

  /** The cached decision on `what` for the identity, or the API server's (`ask`). */
  #decide(
    identity: Identity,
    what: unknown[],
    ask: (kube: KubeGateway) => Promise<boolean>,
  ): Promise<boolean> {
    if (this.mode === 'none') return Promise.resolve(true);
    const kube = this.#kube;
    if (!kube) return Promise.resolve(false);
    const key = JSON.stringify([identity.user, identity.groups, identity.extra, ...what]);
    return this.#cachedDecision(key, () => ask(kube));
  }

  async #cachedDecision(key: string, ask: () => Promise<boolean>): Promise<boolean> {
    const now = this.#options.now();
    const cached = this.#decisions.get(key);
    if (cached && cached.until > now) return cached.allowed;
    const allowed = await ask();
    if (this.#decisions.size > 10_000) this.#decisions.clear();
    this.#decisions.set(key, { allowed, until: now + DECISION_TTL_MS });
    return allowed;
  }
}
