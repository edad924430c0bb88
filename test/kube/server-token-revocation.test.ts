// Item 6 of issue 9 against a real API server: a revoked token stops working within the review cache's
// TTL, and at once when the pod it is bound to goes away (the pod watch tells the cache). The API server
// keeps its own cache of successful token authentications for 10 s, which every bound below allows for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { API_GROUP } from '../../core/contract/names.ts';
import { startPodWatch } from '../../server/kube/pod-watch.ts';
import {
  createNamespace,
  createServiceAccountToken,
  createUser,
  type TokenOptions,
  useCluster,
} from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { buildKubeServer, createPod, deletePod, type KubeServer } from './server-kube-fixture.ts';
import { getSidecars } from '../harness/server-calls.ts';

const { kc } = await useCluster();

function listSidecars(server: KubeServer, token: string) {
  return getSidecars(server.app, { authorization: `Bearer ${token}` });
}

/** A namespace with a user who may view recordings there. */
async function viewerIn(): Promise<{ namespace: string; serviceAccount: string }> {
  const namespace = await createNamespace(kc, { enabled: true });
  await createUser(kc, {
    name: 'viewer',
    namespace,
    rules: [{ apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['get', 'list'] }],
  });
  return { namespace, serviceAccount: 'viewer' };
}

/** A token of the service account, valid for an hour unless what it is bound to goes away first. */
function hourToken(
  namespace: string,
  serviceAccount: string,
  bound: Pick<TokenOptions, 'boundSecret' | 'boundPod'>,
) {
  return createServiceAccountToken(kc, { namespace, serviceAccount, expirationSeconds: 3600, ...bound });
}

const API_SERVER_TOKEN_CACHE_MS = 10_000;

/** Milliseconds until the server refuses the token with 401 (polling every 100 ms, up to limitMs). */
async function msUntilRefused(server: KubeServer, token: string, limitMs: number): Promise<number> {
  const start = Date.now();
  await eventually(
    async () => ((await listSidecars(server, token)).statusCode === 401 ? true : undefined),
    limitMs,
    'the revoked token to be refused',
    100,
  );
  return Date.now() - start;
}

describe('token revocation against a real API server', () => {
  it('refuses a token whose Secret was deleted within tokenReview.cacheSeconds, though it is valid for an hour', async (t) => {
    const server = await buildKubeServer(t, kc, { tokenReview: { ttlSeconds: 3 } });
    const { namespace, serviceAccount } = await viewerIn();
    const core = kc.makeApiClient(CoreV1Api);
    const secret = await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'viewer-session' }, stringData: { note: 'revoke me' } },
    });
    const token = await hourToken(namespace, serviceAccount, {
      boundSecret: { name: 'viewer-session', uid: secret.metadata?.uid ?? '' },
    });
    assert.equal((await listSidecars(server, token)).statusCode, 200);
    await core.deleteNamespacedSecret({ namespace, name: 'viewer-session' });
    const elapsed = await msUntilRefused(server, token, 30_000);
    assert.ok(
      elapsed <= 3000 + API_SERVER_TOKEN_CACHE_MS + 2000,
      `refused ${elapsed} ms after the Secret was deleted (TTL 3 s, the API server's own cache 10 s)`,
    );
  });

  it('refuses a token bound to a deleted pod as soon as the pod watch sees it, long before the TTL', async (t) => {
    const server = await buildKubeServer(t, kc);
    const { namespace, serviceAccount } = await viewerIn();
    const watch = startPodWatch({
      kc,
      onDeleted: (ns, pod, uid) => {
        server.registry.remove(ns, pod, uid);
        server.tokens.dropPod(ns, pod, uid);
      },
      log: { info: () => undefined, warn: () => undefined },
    });
    t.after(() => watch.stop());
    await eventually(() => Promise.resolve(watch.isSynced() || undefined), 20_000, 'the pod watch to sync');
    const pod = await createPod(kc, namespace, 'ci-runner', { serviceAccountName: serviceAccount });
    const token = await hourToken(namespace, serviceAccount, {
      boundPod: { name: 'ci-runner', uid: pod.metadata?.uid ?? '' },
    });
    assert.equal((await listSidecars(server, token)).statusCode, 200);
    await deletePod(kc, namespace, 'ci-runner');
    const elapsed = await msUntilRefused(server, token, 60_000);
    assert.ok(elapsed <= 5000, `refused ${elapsed} ms after the pod was deleted (TTL 60 s)`);
    assert.ok(
      elapsed <= API_SERVER_TOKEN_CACHE_MS + 5000,
      `refused ${elapsed} ms after the pod was deleted (TTL 60 s; the API server's own cache 10 s)`,
    );
  });
});
