import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { createNamespace, createServiceAccountToken, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { startPodWatch } from '../../server/kube/pod-watch.ts';
import { checkPod } from '../../server/kube/pod-identity.ts';
import { withoutServiceAccountMount } from '../../server/kube/injected-sidecar.ts';
import {
  buildKubeServer,
  createPod,
  deletePod,
  expireToken,
  forgeToken,
  KUBE_INJECTION,
  KUBE_SIDECAR_IMAGE,
  resignToken,
  UNSERVED_PIN,
} from './server-kube-fixture.ts';

const { cp, kc } = await useCluster();

async function boundToken(
  namespace: string,
  pod: { metadata?: { name?: string; uid?: string } },
  audiences = ['furnace'],
): Promise<string> {
  return createServiceAccountToken(kc, {
    namespace,
    serviceAccount: 'default',
    audiences,
    boundPod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  });
}

function register(server: Awaited<ReturnType<typeof buildKubeServer>>, token: string) {
  return server.recorder.inject({
    method: 'POST',
    url: '/api/v1/sidecars',
    headers: { authorization: `Bearer ${token}` },
    payload: { port: 9, tlsPort: 9, tlsPin: UNSERVED_PIN },
  });
}

/** The cached furnace container is the stored one but the pod's own API token mount, as registration compares it. */
function assertCachedSidecar(name: string, pod: V1Pod, cached: V1Pod | undefined): void {
  const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));
  const stored = pod.spec?.containers.find((c) => c.name === 'furnace');
  assert.ok(
    stored?.volumeMounts?.some((m) => m.name.startsWith('kube-api-access-')),
    `${name}: the API server mounted the pod's own API token`,
  );
  assert.deepEqual(
    plain(cached?.spec?.containers[1]),
    plain(stored && withoutServiceAccountMount(stored)),
    `${name}: the whole furnace container but the pod's own API token mount`,
  );
}

describe('server registration against a real API server', () => {
  it('registers a sidecar presenting a real pod-bound token, at the Pod IP and never the body port', async (t) => {
    const server = await buildKubeServer(t, kc);
    const namespace = await createNamespace(kc, { enabled: true });
    const pod = await createPod(kc, namespace, 'web', { podIp: '10.44.0.7' });
    const response = await register(server, await boundToken(namespace, pod));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<{ leaseSeconds: number }>().leaseSeconds, 30);
    const registration = server.registry.get(namespace, 'web');
    assert.deepEqual(registration?.address, { host: '10.44.0.7', port: 12380 });
    assert.equal(registration?.podUid, pod.metadata?.uid);
  });

  it('refuses tokens for another pod, another audience, expired, forged, or a pod without the sidecar, and registers nothing', async (t) => {
    const server = await buildKubeServer(t, kc);
    const namespace = await createNamespace(kc, { enabled: true });
    const original = await createPod(kc, namespace, 'recreated');
    const staleToken = await boundToken(namespace, original);
    await deletePod(kc, namespace, 'recreated');
    await createPod(kc, namespace, 'recreated');
    const web = await createPod(kc, namespace, 'web');
    const plain = await createPod(kc, namespace, 'plain', { sidecar: false });
    const good = await boundToken(namespace, web);
    const cases: [string, string, number][] = [
      ['a token bound to an earlier pod of the same name', staleToken, 401],
      ['another audience', await boundToken(namespace, web, ['https://kubernetes.default.svc']), 401],
      ['an expired token', await expireToken(cp.dir, good), 401],
      ['a forged token', forgeToken(good), 401],
      ['a pod without the furnace container', await boundToken(namespace, plain), 403],
      [
        'a token not bound to any pod',
        await createServiceAccountToken(kc, { namespace, serviceAccount: 'default', audiences: ['furnace'] }),
        403,
      ],
    ];
    for (const [what, token, status] of cases) {
      const response = await register(server, token);
      assert.equal(response.statusCode, status, `${what}: ${response.body}`);
    }
    assert.equal(server.registry.size(), 0);
    const resigned = await register(server, await resignToken(cp.dir, good, {}));
    assert.equal(
      resigned.statusCode,
      200,
      'the same token re-signed unchanged is accepted, so the expiry is what was refused',
    );
  });

  it('refuses pods the webhook did not inject as configured, host-network pods and namespaces not opted in, naming the reason', async (t) => {
    const server = await buildKubeServer(t, kc);
    const optedIn = await createNamespace(kc, { enabled: true });
    const optedOut = await createNamespace(kc, { enabled: false });
    const cases: [string, string, Parameters<typeof createPod>[3], RegExp][] = [
      [optedIn, 'no-marker', { marker: false }, /not injected by the Furnace webhook/],
      [
        optedIn,
        'other-image',
        { sidecarImage: 'evil.example/furnace:1' },
        /runs furnace image "evil\.example/,
      ],
      [optedIn, 'tag-of-image', { sidecarImage: 'registry.invalid/furnace:latest' }, /not the configured/],
      [optedIn, 'own-command', { sidecarCommand: ['sh', '-c', 'nc -l 12380'] }, /command differs/],
      [optedIn, 'host-net', { hostNetwork: true }, /uses the host network/],
      [optedOut, 'elsewhere', {}, /namespace .* is not opted in \(label furnace=enabled\)/],
    ];
    for (const [namespace, name, options, reason] of cases) {
      const pod = await createPod(kc, namespace, name, options);
      const response = await register(server, await boundToken(namespace, pod));
      assert.equal(response.statusCode, 403, `${name}: ${response.body}`);
      assert.match(response.json<{ message: string }>().message, reason, name);
    }
    assert.equal(server.registry.size(), 0);
    const honest = await createPod(kc, optedIn, 'honest');
    assert.equal(honest.spec?.containers.find((c) => c.name === 'furnace')?.image, KUBE_SIDECAR_IMAGE);
    assert.equal((await register(server, await boundToken(optedIn, honest))).statusCode, 200);
  });

  it('removes the registration when the pod is deleted', async (t) => {
    const server = await buildKubeServer(t, kc);
    const namespace = await createNamespace(kc, { enabled: true });
    const pod = await createPod(kc, namespace, 'short-lived');
    const watch = startPodWatch({
      kc,
      onDeleted: (ns, name, uid) => server.registry.remove(ns, name, uid),
      log: { info: () => undefined, warn: () => undefined },
    });
    t.after(() => watch.stop());
    assert.equal((await register(server, await boundToken(namespace, pod))).statusCode, 200);
    await eventually(() => Promise.resolve(watch.isSynced() || undefined), 20_000, 'the pod watch to sync');
    assert.ok(server.registry.get(namespace, 'short-lived'));
    assert.equal(
      watch.getPod(namespace, 'short-lived')?.metadata?.uid,
      pod.metadata?.uid,
      'the watch caches the pod',
    );
    await deletePod(kc, namespace, 'short-lived');
    await eventually(
      () => Promise.resolve(server.registry.get(namespace, 'short-lived') ? undefined : true),
      20_000,
      'the registration to be removed',
    );
    assert.equal(server.registry.get(namespace, 'short-lived'), undefined);
  });

  it('caches pods slimmed to what registration reads, from the first list and from watch events', async (t) => {
    const namespace = await createNamespace(kc, { enabled: true });
    const listed = await createPod(kc, namespace, 'listed', { podIp: '10.44.1.1' });
    const watch = startPodWatch({
      kc,
      onDeleted: () => undefined,
      log: { info: () => undefined, warn: () => undefined },
    });
    t.after(() => watch.stop());
    await eventually(() => Promise.resolve(watch.isSynced() || undefined), 20_000, 'the pod watch to sync');
    const watched = await createPod(kc, namespace, 'watched', { podIp: '10.44.1.2' });
    await eventually(
      () => Promise.resolve(watch.getPod(namespace, 'watched')?.status?.podIP),
      20_000,
      'the watch to cache the new pod with its IP',
    );
    for (const [pod, ip] of [
      [listed, '10.44.1.1'],
      [watched, '10.44.1.2'],
    ] as const) {
      const name = pod.metadata?.name ?? '';
      const cached = watch.getPod(namespace, name);
      assert.deepEqual(
        cached?.spec?.containers.map((c) => c.name),
        ['app', 'furnace'],
        name,
      );
      assertCachedSidecar(name, pod, cached);
      // Labels are kept since continuous profiling selects pods by them (server/continuous/).
      assert.deepEqual(cached?.metadata?.labels, pod.metadata?.labels, `${name}: labels are kept`);
      const uid = pod.metadata?.uid ?? '';
      const policy = { sidecarImages: [KUBE_SIDECAR_IMAGE], injection: KUBE_INJECTION };
      assert.deepEqual(checkPod({ namespace, pod: name, podUid: uid }, cached, policy), {
        ok: true,
        podIp: ip,
      });
    }
  });
});
