// The browser's sign-in cookie was the Kubernetes token itself: whoever copied it (a log, a proxy, a
// shared machine) held the token for the API server, and signing out revoked nothing. The cookie now
// names a server-side session: random, unrelated to the token, ended by sign-out and by its expiry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { buildFixture, type Fixture } from './server-fixture.ts';

const TOKEN = 'alice.token-1';

async function signedIn(f: Fixture): Promise<{ cookie: string; setCookie: string }> {
  const response = await f.app.inject({ method: 'POST', url: '/api/v1/session', payload: { token: TOKEN } });
  assert.equal(response.statusCode, 200, response.body);
  const setCookie = String(response.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0] ?? '', setCookie };
}

function sidecars(f: Fixture, cookie: string) {
  return f.app.inject({ method: 'GET', url: '/api/v1/sidecars', headers: { cookie } });
}

async function sessionFixture(t: Parameters<typeof buildFixture>[0], sessionSeconds?: number) {
  const kube = fakeKubeGateway({
    reviews: { [TOKEN]: { authenticated: true, username: 'alice', groups: [] } },
    allows: (check) => check.user === 'alice',
  });
  return buildFixture(t, {
    authMode: 'kubernetes',
    kube,
    registration: 'local',
    ...(sessionSeconds ? { sessionSeconds } : {}),
  });
}

describe('browser sessions', () => {
  it('sets a random session id as the cookie, never the token, and the token is no cookie', async (t) => {
    const f = await sessionFixture(t);
    const first = await signedIn(f);
    const second = await signedIn(f);
    const value = first.cookie.slice('furnace_session='.length);
    assert.ok(!value.includes(TOKEN) && value.length >= 43, `the cookie holds ${value}`);
    assert.notEqual(first.cookie, second.cookie, 'each sign-in is a new session');
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/', 'Max-Age=28800'])
      assert.ok(first.setCookie.split('; ').includes(attribute), `${attribute}: ${first.setCookie}`);
    assert.equal((await sidecars(f, first.cookie)).statusCode, 200);
    assert.equal(
      (await sidecars(f, `furnace_session=${TOKEN}`)).statusCode,
      401,
      'the token is not a session',
    );
  });

  it('ends the session on the server at sign-out: a copy of the cookie authenticates nothing', async (t) => {
    const f = await sessionFixture(t);
    const stolen = await signedIn(f);
    const other = await signedIn(f);
    const signOut = await f.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie: stolen.cookie },
    });
    assert.equal(signOut.statusCode, 200);
    assert.equal((await sidecars(f, stolen.cookie)).statusCode, 401);
    const session = await f.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: stolen.cookie },
    });
    assert.equal(session.json<{ signedIn: boolean }>().signedIn, false);
    assert.equal((await sidecars(f, other.cookie)).statusCode, 200, "another browser's session goes on");
  });

  it('ends a session after auth.sessionSeconds, whatever the browser keeps', async (t) => {
    const f = await sessionFixture(t, 600);
    const { cookie, setCookie } = await signedIn(f);
    assert.match(setCookie, /Max-Age=600/);
    f.advance(599);
    assert.equal((await sidecars(f, cookie)).statusCode, 200);
    f.advance(2);
    assert.equal((await sidecars(f, cookie)).statusCode, 401);
  });
});
