// Sign-in for the browser (auth mode kubernetes, fake kube gateway at the API server boundary): a
// token checked by TokenReview becomes a session whose id is an HttpOnly, Secure, SameSite=Strict
// cookie that the API accepts in place of the Authorization header; sign-out clears it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeGateway } from '../../../server/kube/kube-gateway.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { buildFixture } from './server-fixture.ts';
import { getSidecars } from '../../harness/server-calls.ts';

function fakeKube(): KubeGateway {
  return fakeKubeGateway({
    reviews: { 'alice.token-1': { authenticated: true, username: 'alice', groups: ['devs'] } },
    allows: (check) => check.user === 'alice' && check.namespace === 'team-a',
  });
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const value = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return (value ?? '').split(';')[0] ?? '';
}

describe('server session (sign-in), kubernetes mode with a fake kube gateway', () => {
  it('says who is signed in, and why not when nobody is', async (t) => {
    const f = await buildFixture(t, { authMode: 'kubernetes', kube: fakeKube(), registration: 'local' });
    const anonymous = await f.app.inject({ method: 'GET', url: '/api/v1/session' });
    assert.equal(anonymous.statusCode, 200);
    assert.deepEqual(anonymous.json(), {
      mode: 'kubernetes',
      local: false,
      signedIn: false,
      reason: 'a Bearer token is required',
    });
    const bearer = await f.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: 'Bearer alice.token-1' },
    });
    assert.deepEqual(bearer.json(), {
      ...{ mode: 'kubernetes', local: false, signedIn: true },
      ...{ user: 'alice', groups: ['devs'] },
    });
  });

  it('turns a valid token into a cookie that authenticates API calls until sign-out', async (t) => {
    const f = await buildFixture(t, { authMode: 'kubernetes', kube: fakeKube(), registration: 'local' });
    f.registry.register({ namespace: 'team-a', pod: 'web-1', address: { host: '127.0.0.1', port: 9 } });
    const signIn = await f.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { token: 'alice.token-1' },
    });
    assert.equal(signIn.statusCode, 200);
    assert.equal(signIn.json<{ user: string }>().user, 'alice');
    const setCookie = signIn.headers['set-cookie'] as string;
    assert.match(setCookie, /^furnace_session=[A-Za-z0-9_-]{43}; /, 'a session id, not the token');
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/'])
      assert.ok(setCookie.split('; ').includes(attribute), `cookie has ${attribute}: ${setCookie}`);
    const cookie = cookieOf(setCookie);
    const pods = await getSidecars(f.app, { cookie });
    assert.equal(pods.statusCode, 200);
    assert.deepEqual(
      pods.json<{ items: { pod: string }[] }>().items.map((i) => i.pod),
      ['web-1'],
    );
    const signOut = await f.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
    assert.equal(signOut.statusCode, 200);
    assert.match(signOut.headers['set-cookie'] as string, /^furnace_session=; .*Max-Age=0/);
  });

  it('refuses a token the API server does not accept, and sets no cookie', async (t) => {
    const f = await buildFixture(t, { authMode: 'kubernetes', kube: fakeKube(), registration: 'local' });
    const refused = await f.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { token: 'mallory' },
    });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['set-cookie'], undefined);
    assert.equal(refused.json<{ code: string }>().code, 'ERR_UNAUTHENTICATED');
    const cookie = await getSidecars(f.app, { cookie: 'furnace_session=mallory' });
    assert.equal(cookie.statusCode, 401);
  });

  it('rejects a body without a token, or with characters no token has, before any TokenReview', async (t) => {
    const f = await buildFixture(t, { authMode: 'kubernetes', kube: fakeKube(), registration: 'local' });
    for (const payload of [{}, { token: '' }, { token: 'a b' }, { token: 'x;Path=/evil' }]) {
      const response = await f.app.inject({ method: 'POST', url: '/api/v1/session', payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
    }
  });

  it('has nothing to sign in to in auth mode none', async (t) => {
    const f = await buildFixture(t);
    assert.deepEqual((await f.app.inject({ method: 'GET', url: '/api/v1/session' })).json(), {
      mode: 'none',
      local: false,
      signedIn: true,
      user: 'anonymous',
      groups: [],
    });
    const response = await f.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { token: 'abc' },
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.json<{ message: string }>().message, /auth mode none/);
  });

  it('shows the identity the OAuth proxy passes in auth mode proxy', async (t) => {
    const f = await buildFixture(t, { authMode: 'proxy', kube: fakeKubeGateway() });
    const response = await f.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { 'x-forwarded-user': 'bob', 'x-forwarded-groups': 'ops, devs' },
    });
    assert.deepEqual(response.json(), {
      mode: 'proxy',
      local: false,
      signedIn: true,
      user: 'bob',
      groups: ['ops', 'devs'],
    });
  });
});
