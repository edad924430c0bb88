// Two server processes sharing registrations through the real API server (`coordination.mode: kubernetes`): a
// sidecar registered through replica A is proxied through replica B, which presents the token A answered
// without having been told it; B takes A's upload token; the shared Lease holds no token; a deleted pod's
// registration is gone from both; a renewal through B shows the review ticket A answered and B takes that
// review (the same ticket back), and refuses it once the pod is deleted. The convergence times are printed,
// not asserted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import Fastify from 'fastify';
import { SIDECAR_TLS_PORT } from '../../core/contract/names.ts';
import { createServingIdentity } from '../../sidecar/api/self-signed-certificate.ts';
import { createNamespace, createServiceAccountToken, createUser, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { bearerCall, httpsCall } from '../harness/http.ts';
import { serveOverHttps } from '../harness/https-server.ts';
import { recordingStatus } from '../harness/recording-status.ts';
import { startReplicas, type ReplicaServer } from '../harness/replica-servers.ts';
import { createPod, deletePod, KUBE_SIDECAR_IMAGE } from './server-kube-fixture.ts';

const { cp, kc } = await useCluster();

/** A loopback address of its own for the stand-in sidecar, as a pod IP: 12381 is then free on it. */
function podAddress(): string {
  return `127.1.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
}

function proxied(replica: ReplicaServer, token: string, namespace: string, pod: string) {
  return bearerCall(`${replica.base}/proxy/${namespace}/${pod}/recordings`, replica.certs.caPem, token);
}

describe('registrations shared by two replicas through the Kubernetes API', () => {
  it('proxies through B a sidecar registered through A, with A’s token; a deleted pod is gone from both', async (t) => {
    const leases = await createNamespace(kc, { prefix: 'furnace' });
    const [a, b] = await startReplicas(t, {
      kubeconfigPath: cp.kubeconfigPath,
      namespace: leases,
      env: { FURNACE_INJECT_IMAGE: KUBE_SIDECAR_IMAGE },
    });
    assert.ok(a && b);
    const namespace = await createNamespace(kc, { enabled: true });
    const host = podAddress();
    const pod = await createPod(kc, namespace, 'web', { podIp: host });
    const seen: string[] = [];
    const sidecar = Fastify();
    sidecar.get('/recordings', (request) => {
      seen.push(request.headers.authorization ?? '');
      return { recordings: [] };
    });
    const identity = await createServingIdentity();
    await serveOverHttps(t, sidecar, identity, { host, port: SIDECAR_TLS_PORT });
    const user = await createUser(kc, {
      name: 'viewer',
      namespace,
      rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['get'] }],
    });
    assert.equal((await proxied(b, user.token, namespace, 'web')).status, 404, 'not registered yet');

    const podToken = await createServiceAccountToken(kc, {
      namespace,
      serviceAccount: 'default',
      audiences: ['furnace'],
      boundPod: { name: 'web', uid: pod.metadata?.uid ?? '' },
    });
    const registered = await bearerCall(`${a.recorderUrl}/api/v1/sidecars`, a.certs.caPem, podToken, 'POST', {
      tlsPort: SIDECAR_TLS_PORT,
      tlsPin: identity.pin,
    });
    const at = performance.now();
    assert.equal(registered.status, 200, registered.body);
    const { proxyToken, uploadToken, reviewTicket } = JSON.parse(registered.body) as {
      proxyToken: string;
      uploadToken: string;
      reviewTicket?: string;
    };
    assert.ok(reviewTicket, 'with two replicas the answer carries a review ticket');
    const throughB = await eventually(
      async () =>
        (await proxied(b, user.token, namespace, 'web')).status === 200 ? performance.now() : undefined,
      30_000,
      'replica B to proxy the sidecar registered through A',
      20,
    );
    process.stdout.write(`registered through A, proxied through B after ${(throughB - at).toFixed(0)} ms\n`);
    assert.equal(seen.at(-1), `Bearer ${proxyToken}`, 'B presents the proxy token A answered');

    const lease = (
      await kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: leases })
    ).items.find((item) => item.metadata?.annotations?.['furnace.hyperfoil.io/record']?.includes(namespace));
    assert.ok(lease, 'the registration is a Lease in the shared namespace');
    const stored = JSON.stringify(lease);
    assert.ok(!stored.includes(proxyToken) && !stored.includes(uploadToken), 'the Lease holds no token');
    assert.equal(lease.spec?.holderIdentity, 'replica-a');

    const status = recordingStatus('rec-shared-1', {
      state: 'done',
      stage: 'upload',
      progress: 1,
      endedAt: '2026-03-01T12:00:05.000Z',
    });
    const upload = await bearerCall(
      `${b.recorderUrl}/api/v1/recordings/rec-shared-1`,
      b.certs.caPem,
      uploadToken,
      'PUT',
      status,
    );
    assert.equal(upload.status, 200, `B takes the upload token A answered: ${upload.body}`);
    assert.equal((JSON.parse(upload.body) as { pod: string }).pod, 'web');
    const forged = await bearerCall(
      `${b.recorderUrl}/api/v1/recordings/rec-shared-2`,
      b.certs.caPem,
      proxyToken,
      'PUT',
      {
        ...status,
        id: 'rec-shared-2',
      },
    );
    assert.equal(forged.status, 401, 'the proxy token uploads nothing');

    const renewThroughB = () =>
      bearerCall(`${b.recorderUrl}/api/v1/sidecars`, b.certs.caPem, podToken, 'POST', {
        tlsPort: SIDECAR_TLS_PORT,
        tlsPin: identity.pin,
        reviewTicket,
      });
    const renewed = await renewThroughB();
    assert.equal(renewed.status, 200, renewed.body);
    const answer = JSON.parse(renewed.body) as { proxyToken: string; reviewTicket?: string };
    assert.equal(answer.proxyToken, proxyToken, 'a renewal through B keeps the tokens');
    assert.equal(
      answer.reviewTicket,
      reviewTicket,
      'B took A’s review from the ticket (a review of its own signs another)',
    );

    await deletePod(kc, namespace, 'web');
    const deletedAt = performance.now();
    for (const replica of [a, b]) {
      const gone = await eventually(
        async () =>
          (await proxied(replica, user.token, namespace, 'web')).status === 404
            ? performance.now()
            : undefined,
        30_000,
        `${replica.name} to forget the deleted pod`,
        20,
      );
      process.stdout.write(
        `pod deleted, gone from ${replica.name} after ${(gone - deletedAt).toFixed(0)} ms\n`,
      );
    }
    const afterDeletion = await renewThroughB();
    assert.notEqual(
      afterDeletion.status,
      200,
      `the ticket does not bring back the deleted pod: ${afterDeletion.body}`,
    );
    await eventually(
      async () => {
        const left = await kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: leases });
        return left.items.some((item) => item.metadata?.name === lease.metadata?.name) ? undefined : true;
      },
      30_000,
      'the deleted pod’s Lease to be deleted',
    );
    for (const replica of [a, b])
      assert.equal((await httpsCall(`${replica.base}/readyz`, replica.certs.caPem)).status, 200);
  });
});
