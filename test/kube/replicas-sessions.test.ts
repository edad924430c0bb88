// Browser sessions shared by two server processes through the real API server (`coordination.mode: kubernetes`,
// auth mode kubernetes): a sign-in through replica A is valid through replica B, a sign-out through B ends
// it through A, and the session's Lease holds neither the token nor the cookie. Times are printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { startReplicas, type ReplicaServer } from '../harness/replica-servers.ts';

const { cp, kc } = await useCluster();

async function signedIn(replica: ReplicaServer, cookie: string): Promise<boolean> {
  const answer = await httpsCall(`${replica.base}/api/v1/session`, replica.certs.caPem, {
    headers: { cookie },
  });
  return (JSON.parse(answer.body) as { signedIn: boolean }).signedIn;
}

describe('sessions shared by two replicas through the Kubernetes API', () => {
  it('signs in through A, is signed in through B, and a sign-out through B ends it through A', async (t) => {
    const leases = await createNamespace(kc, { prefix: 'furnace' });
    const [a, b] = await startReplicas(t, {
      kubeconfigPath: cp.kubeconfigPath,
      namespace: leases,
      extra: { webhook: { enabled: false } },
    });
    assert.ok(a && b);
    const namespace = await createNamespace(kc);
    const user = await createUser(kc, { name: 'alice', namespace, rules: [] });
    const signIn = await httpsCall(`${a.base}/api/v1/session`, a.certs.caPem, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: user.token }),
    });
    const at = performance.now();
    assert.equal(signIn.status, 200, signIn.body);
    assert.equal((JSON.parse(signIn.body) as { user: string }).user, user.username);
    const cookie = (signIn.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^furnace_session=[A-Za-z0-9_-]{43}$/);
    const onB = await eventually(
      async () => ((await signedIn(b, cookie)) ? performance.now() : undefined),
      30_000,
      'the session to be valid through B',
      20,
    );
    process.stdout.write(`signed in through A, signed in through B after ${(onB - at).toFixed(0)} ms\n`);

    const stored = JSON.stringify(
      (await kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: leases })).items,
    );
    assert.match(stored, /furnace-session-/);
    assert.ok(!stored.includes(user.token), 'no token in the Lease');
    assert.ok(!stored.includes(cookie.split('=')[1] ?? '-'), 'no session id in the Lease');

    const signOut = await httpsCall(`${b.base}/api/v1/session`, b.certs.caPem, {
      method: 'DELETE',
      headers: { cookie },
    });
    assert.equal(signOut.status, 200);
    const outAt = performance.now();
    const offA = await eventually(
      async () => ((await signedIn(a, cookie)) ? undefined : performance.now()),
      30_000,
      'the sign-out through B to end the session through A',
      20,
    );
    process.stdout.write(
      `signed out through B, signed out through A after ${(offA - outAt).toFixed(0)} ms\n`,
    );
    assert.equal(await signedIn(b, cookie), false);
  });
});
