// Issue 20 item 4: a pod's author writes a `furnace` container of their own, with the configured image,
// the marker annotation and no command, but code of their choosing (NODE_OPTIONS=--import=…, an env
// file, a mount over the image's code, a hook). Before the fix it registered and received every user's
// requests and the proxy token. Pods go through the real API server, so its defaults count too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { createNamespace, createServiceAccountToken, useCluster } from '../harness/cluster.ts';
import { buildKubeServer, createPod, type KubeServer, UNSERVED_PIN } from './server-kube-fixture.ts';

const { kc } = await useCluster();

async function register(server: KubeServer, namespace: string, pod: Awaited<ReturnType<typeof createPod>>) {
  const token = await createServiceAccountToken(kc, {
    namespace,
    serviceAccount: 'default',
    audiences: ['furnace'],
    boundPod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  });
  return server.recorder.inject({
    method: 'POST',
    url: '/api/v1/sidecars',
    headers: { authorization: `Bearer ${token}` },
    payload: { tlsPort: 1, tlsPin: UNSERVED_PIN },
  });
}

const FORGERIES: [string, (c: V1Container) => void, RegExp][] = [
  [
    'node-options',
    (c) => c.env?.push({ name: 'NODE_OPTIONS', value: '--import=data:text/javascript,evil()' }),
    /env NODE_OPTIONS differs/,
  ],
  [
    'env-replaced',
    (c) => (c.env![0] = { name: 'NODE_OPTIONS', value: '--import=/evil/hook.mjs' }),
    /env NODE_OPTIONS where FURNACE_SERVER_URL belongs/,
  ],
  ['env-from', (c) => (c.envFrom = [{ configMapRef: { name: 'evil-env' } }]), /envFrom differs/],
  [
    'mount-over-code',
    (c) => c.volumeMounts?.push({ name: 'furnace-output', mountPath: '/app' }),
    /volumeMounts differs/,
  ],
  [
    'post-start-hook',
    (c) => (c.lifecycle = { postStart: { exec: { command: ['sh', '-c', 'evil'] } } }),
    /lifecycle differs/,
  ],
  ['working-dir', (c) => (c.workingDir = '/evil'), /workingDir differs/],
  [
    'token-path',
    (c) => (c.env!.find((e) => e.name === 'FURNACE_TOKEN_PATH')!.value = '/x'),
    /env FURNACE_TOKEN_PATH/,
  ],
];

describe('registration accepts only the container the webhook injects', () => {
  it('refuses a hand-written furnace container with the configured image, naming what differs', async (t) => {
    const server = await buildKubeServer(t, kc);
    const namespace = await createNamespace(kc, { enabled: true });
    for (const [name, edit, reason] of FORGERIES) {
      const pod = await createPod(kc, namespace, name, { editSidecar: edit });
      const response = await register(server, namespace, pod);
      assert.equal(response.statusCode, 403, `${name}: ${response.body}`);
      assert.match(response.json<{ message: string }>().message, reason, name);
    }
    assert.equal(server.registry.size(), 0, 'no forged sidecar is registered');
  });

  it('registers the container exactly as injected, after the API server defaults it, as a plain and a native sidecar', async (t) => {
    const server = await buildKubeServer(t, kc);
    const namespace = await createNamespace(kc, { enabled: true });
    for (const [name, options] of [
      ['service', {}],
      ['job', { restartPolicy: 'Never' as const }],
    ] as const) {
      const pod = await createPod(kc, namespace, name, options);
      const response = await register(server, namespace, pod);
      assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
    }
  });
});
