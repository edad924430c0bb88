// Browser sessions shared by two replicas (`coordination.mode: kubernetes`): two apps whose session stores share one
// fake Lease store at the Kubernetes API boundary (test/harness/fake-lease-store.ts; the real API server is
// in test/kube/replicas-sessions.test.ts). A sign-in on A is valid on B, a sign-out on B ends it on A,
// the stored record holds the token sealed, and sessions still end after auth.sessionSeconds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSharedSessionStore } from '../../../server/auth/session-shared-store.ts';
import { sharedKeysOf, type SharedKeys } from '../../../core/shared-key.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { FakeLeaseStore } from '../../harness/fake-lease-store.ts';
import { buildFixture } from './server-fixture.ts';

const TOKEN = 'alice.token-1';
const KEY = Buffer.alloc(32, 8);

function twoReplicas(t: Parameters<typeof buildFixture>[0], keys: { a: SharedKeys; b: SharedKeys }) {
  let time = Date.parse('2026-03-01T12:00:00Z');
  const store = new FakeLeaseStore();
  const kube = fakeKubeGateway({
    reviews: { [TOKEN]: { authenticated: true, username: 'alice', groups: [] } },
  });
  const replica = async (holder: string, replicaKeys: SharedKeys) => {
    const sessions = createSharedSessionStore({
      store,
      keys: replicaKeys,
      holder,
      now: () => time,
      ttlSeconds: 3600,
    });
    store.subscribers.push(sessions);
    const fixture = await buildFixture(t, { authMode: 'kubernetes', kube, registration: 'local', sessions });
    return { ...fixture, sessions };
  };
  return {
    store,
    a: replica('a', keys.a),
    b: replica('b', keys.b),
    advance: (seconds: number) => (time += seconds * 1000),
  };
}

function cookieOf(setCookie: unknown): string {
  return String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0] ?? '';
}

type App = Awaited<ReturnType<typeof buildFixture>>['app'];

async function signedIn(app: App, cookie: string): Promise<boolean> {
  const answer = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
  return answer.json<{ signedIn: boolean }>().signedIn;
}

describe('sessions shared by replicas', () => {
  it('signs in on A, is signed in on B, and a sign-out on B ends it on A', async (t) => {
    const keys = sharedKeysOf([KEY]);
    const cluster = twoReplicas(t, { a: keys, b: keys });
    const [a, b] = [await cluster.a, await cluster.b];
    const signIn = await a.app.inject({ method: 'POST', url: '/api/v1/session', payload: { token: TOKEN } });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const cookie = cookieOf(signIn.headers['set-cookie']);
    assert.match(cookie, /^furnace_session=[A-Za-z0-9_-]{43}$/, 'a session id, not the token');
    assert.ok(await signedIn(b.app, cookie), 'signed in on B');
    const [record] = cluster.store.leases.values();
    assert.equal(record?.kind, 'session');
    assert.ok(!JSON.stringify(record).includes(TOKEN), 'the stored record holds no token in clear');
    assert.ok(!JSON.stringify(record).includes(cookie.split('=')[1] ?? '-'), 'nor the session id');

    const signOut = await b.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
    assert.equal(signOut.statusCode, 200);
    assert.equal(await signedIn(a.app, cookie), false, 'signed out on A too');
    assert.equal(cluster.store.leases.size, 0);
  });

  it('ends sessions after auth.sessionSeconds on every replica, and the writer deletes the record', async (t) => {
    const keys = sharedKeysOf([KEY]);
    const cluster = twoReplicas(t, { a: keys, b: keys });
    const [a, b] = [await cluster.a, await cluster.b];
    const signIn = await a.app.inject({ method: 'POST', url: '/api/v1/session', payload: { token: TOKEN } });
    const cookie = cookieOf(signIn.headers['set-cookie']);
    cluster.advance(3601);
    assert.equal(await signedIn(b.app, cookie), false);
    assert.equal(await signedIn(a.app, cookie), false);
    assert.equal(await b.sessions.collect(), 0, 'not B’s to delete');
    assert.equal(await a.sessions.collect(), 1);
    assert.equal(cluster.store.leases.size, 0);
  });

  it('does not open a session on a replica without its key, and a cookie is no bearer token', async (t) => {
    const cluster = twoReplicas(t, { a: sharedKeysOf([KEY]), b: sharedKeysOf([Buffer.alloc(32, 9)]) });
    const [a, b] = [await cluster.a, await cluster.b];
    const signIn = await a.app.inject({ method: 'POST', url: '/api/v1/session', payload: { token: TOKEN } });
    const cookie = cookieOf(signIn.headers['set-cookie']);
    assert.equal(await signedIn(b.app, cookie), false);
    const asBearer = await a.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${cookie.split('=')[1] ?? ''}` },
    });
    assert.equal(asBearer.json<{ signedIn: boolean }>().signedIn, false);
  });

  it('finds a session the watch has not shown yet by reading the record, within a budget', async (t) => {
    const keys = sharedKeysOf([KEY]);
    const cluster = twoReplicas(t, { a: keys, b: keys });
    const [a, b] = [await cluster.a, await cluster.b];
    cluster.store.subscribers.splice(1);
    const signIn = await a.app.inject({ method: 'POST', url: '/api/v1/session', payload: { token: TOKEN } });
    const cookie = cookieOf(signIn.headers['set-cookie']);
    assert.ok(await signedIn(b.app, cookie), 'B read it though its watch had not shown it');
    for (let i = 0; i < 40; i += 1)
      assert.equal(
        await signedIn(b.app, `furnace_session=${'z'.repeat(40)}${String(i).padStart(3, '0')}`),
        false,
      );
    assert.equal(
      cluster.store.reads(),
      20,
      'one read for the real session, then 19 of the 20 a second allows',
    );
  });
});
