// GET/POST/DELETE /api/v1/session: who the browser is signed in as, sign-in with a token (auth mode
// `kubernetes`: checked with a TokenReview, then kept in a server-side session whose random id is an
// HttpOnly cookie), and sign-out, which deletes the session. Each answer also says whether the server runs
// local mode, which the UI cannot tell from a namespace's name.
import type { FastifyInstance } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { SessionView } from '../../core/contract/ui-contract.ts';
import type { Access } from '../auth/access.ts';
import { clearedSessionCookie, readSessionCookie, sessionCookie } from '../auth/session-cookie.ts';
import type { Identity } from '../auth/identity.ts';
import type { RouteGuard } from '../auth/route-guard.ts';
import { typedRoutes } from '../listeners/typed-routes.ts';

export interface SessionRouteDeps {
  access: Access;
  /** Local mode (`npm start`), as the server was started: the UI shows local mode's controls. */
  local: boolean;
}

const errorSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
} as const;

const sessionSchema = {
  type: 'object',
  required: ['mode', 'local', 'signedIn'],
  properties: {
    mode: { type: 'string', enum: ['kubernetes', 'proxy', 'none'] },
    local: { type: 'boolean' },
    signedIn: { type: 'boolean' },
    user: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    reason: { type: 'string' },
  },
} as const;

const signInBody = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  // Kubernetes tokens are JWTs (base64url and dots); OpenShift's look like `sha256~…`.
  properties: { token: { type: 'string', minLength: 1, maxLength: 16384, pattern: '^[A-Za-z0-9._~+/=-]+$' } },
} as const;

type ServerFacts = Pick<SessionView, 'mode' | 'local'>;

function view(server: ServerFacts, identity: Identity): SessionView {
  return { ...server, signedIn: true, user: identity.user, groups: identity.groups };
}

/** Signing in and out authenticates by itself: it says who is signed in, or takes a token to sign in with. */
const SIGN_IN: RouteGuard = {
  public: 'sign-in: authenticates the token it is given, or says nobody is signed in',
};

export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  const { access } = deps;
  const server: ServerFacts = { mode: access.mode, local: deps.local };
  const config = { guard: SIGN_IN };
  app.get('/api/v1/session', { schema: { response: { 200: sessionSchema } }, config }, async (request) => {
    try {
      return view(server, await access.authenticate(request.headers, request.ip));
    } catch (error) {
      if (error instanceof FurnaceError && error.code === 'ERR_UNAUTHENTICATED')
        return { ...server, signedIn: false, reason: error.message } satisfies SessionView;
      throw error;
    }
  });

  typedRoutes(app).post(
    '/api/v1/session',
    {
      schema: { body: signInBody, response: { 200: sessionSchema, 400: errorSchema, 401: errorSchema } },
      config,
    },
    async (request, reply) => {
      if (access.mode !== 'kubernetes')
        throw new FurnaceError(
          'ERR_INVALID_PARAMETER',
          `sign-in with a token is for auth mode kubernetes; this server runs auth mode ${access.mode}`,
          { field: 'mode', value: access.mode },
        );
      const token = request.body.token;
      const identity = await access.authenticate({ authorization: `Bearer ${token}` });
      const id = await access.sessions.create(token);
      return reply
        .header('set-cookie', sessionCookie(id, access.sessions.ttlSeconds))
        .send(view(server, identity));
    },
  );

  app.delete(
    '/api/v1/session',
    { schema: { response: { 200: sessionSchema } }, config },
    async (request, reply) => {
      // The session ends on the server too (on every replica): a copy of the cookie authenticates nothing afterwards.
      const id = readSessionCookie(request.headers);
      if (id !== undefined) await access.sessions.delete(id);
      return reply
        .header('set-cookie', clearedSessionCookie())
        .send({ ...server, signedIn: false } satisfies SessionView);
    },
  );
}
