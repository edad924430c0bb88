import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod, V1PodList } from '@kubernetes/client-node';
import { DEFAULT_INJECTION_CONFIG } from '../../../core/injection/injection-config.ts';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { listSlimPods, slimPod } from '../../../server/kube/pod-watch.ts';
import { checkPod } from '../../../server/kube/pod-identity.ts';

const injection = { ...DEFAULT_INJECTION_CONFIG, image: 'furnace:1' };

/**
 * A Job's pod as the webhook injects it and the API server stores it: the sidecar is a native sidecar after
 * a plain init container, and the ServiceAccount admission has mounted the pod's own API token volume
 * (`kube-api-access-<random>`) into every container.
 */
function fullPod(name: string, appImage = 'shop:1'): V1Pod {
  const pod = injectSidecar(uninjectedPod(name, appImage), injection);
  const volume = `kube-api-access-${name}x7k`;
  pod.spec!.volumes!.push({
    name: volume,
    projected: { sources: [{ serviceAccountToken: { path: 'token' } }] },
  });
  for (const c of [...pod.spec!.initContainers!, ...pod.spec!.containers])
    (c.volumeMounts ??= []).push({ name: volume, mountPath: TOKEN_MOUNT, readOnly: true });
  return pod;
}

const TOKEN_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

function uninjectedPod(name: string, appImage: string): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      resourceVersion: '41',
      labels: { app: 'shop', furnace: 'enabled' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
    },
    spec: {
      restartPolicy: 'Never',
      initContainers: [{ name: 'migrate', image: 'db:1', command: ['migrate'] }],
      containers: [{ name: 'app', image: appImage, env: [{ name: 'B', value: 'b' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
    status: { podIP: '10.1.2.3', phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

describe('pod watch cache', () => {
  it('keeps identity, the marker, the labels (continuous profiling selects by them), container names, native sidecars, the whole sidecar with its volumes and the IP, and nothing else', () => {
    const full = fullPod('web');
    const slim = slimPod(full);
    const stored = full.spec!.initContainers![1]!;
    assert.equal(stored.name, 'furnace');
    // The pod's own API token mount is no part of what registration compares, nor of the cache.
    const sidecar = {
      ...stored,
      volumeMounts: stored.volumeMounts!.filter((m) => m.mountPath !== TOKEN_MOUNT),
    };
    assert.deepEqual(slim, {
      metadata: {
        name: 'web',
        namespace: 'shop',
        uid: 'uid-web',
        resourceVersion: '41',
        deletionTimestamp: undefined,
        annotations: {
          'furnace.hyperfoil.io/injected': full.metadata!.annotations!['furnace.hyperfoil.io/injected']!,
        },
        labels: { app: 'shop', furnace: 'enabled' },
      },
      spec: {
        containers: [{ name: 'app' }],
        initContainers: [{ name: 'migrate', restartPolicy: undefined }, sidecar],
        volumes: full.spec!.volumes!.filter((v) => v.name.startsWith('furnace-')),
      },
      status: { podIP: '10.1.2.3', phase: 'Running' },
    });
    const expected = { namespace: 'shop', pod: 'web', podUid: 'uid-web' };
    const policy = { sidecarImages: ['furnace:1'], injection };
    assert.deepEqual(checkPod(expected, slim, policy), { ok: true, podIp: '10.1.2.3' });
    for (const change of [
      (pod: V1Pod) => delete pod.metadata?.annotations?.['furnace.hyperfoil.io/injected'],
      (pod: V1Pod) => (pod.spec!.hostNetwork = true),
      (pod: V1Pod) => (pod.spec!.initContainers![1]!.image = 'furnace:2'),
      (pod: V1Pod) => (pod.spec!.initContainers![1]!.command = ['sh']),
      (pod: V1Pod) => pod.spec!.initContainers![1]!.env!.push({ name: 'NODE_OPTIONS', value: '--import=x' }),
      (pod: V1Pod) => (pod.spec!.volumes!.find((v) => v.name === 'furnace-token')!.projected = undefined),
    ]) {
      const full = fullPod('web');
      change(full);
      const refused = checkPod(expected, full, policy);
      assert.equal(refused.ok, false, String(change));
      assert.deepEqual(checkPod(expected, slimPod(full), policy), refused, 'the slim pod decides alike');
    }
  });

  it('keeps one frozen copy of a sidecar and its volumes that many pods carry alike (each with its own API token mount), and its own for a pod whose differ', () => {
    const pods = ['a', 'b', 'c'].map((name) => slimPod(fullPod(name)));
    const sidecars = pods.map((pod) => pod.spec!.initContainers![1]);
    assert.equal(new Set(sidecars).size, 1, 'one object for three equal sidecars');
    assert.equal(new Set(pods.map((pod) => pod.spec!.volumes)).size, 1);
    assert.ok(
      Object.isFrozen(sidecars[0]) && Object.isFrozen(sidecars[0]!.env![0]),
      'frozen all the way down',
    );
    const other = fullPod('d');
    other.spec!.initContainers![1]!.image = 'furnace:2';
    const otherSidecar = slimPod(other).spec!.initContainers![1]!;
    assert.notEqual(otherSidecar, sidecars[0]);
    assert.equal(otherSidecar.image, 'furnace:2');
    const appSidecar = slimPod(fullPod('e', 'shop:2')).spec!.initContainers![1]!;
    const targets = (c: V1Container) => c.env!.find((e) => e.name === 'FURNACE_TARGETS');
    assert.notEqual(targets(appSidecar), targets(sidecars[0]!), 'another workload: its own target list');
    assert.equal(appSidecar.volumeMounts, sidecars[0]!.volumeMounts, 'the rest shared');
    assert.equal(appSidecar.env![0], sidecars[0]!.env![0]);
  });

  it('lists page by page until the continue token runs out, starting the watch at the last version', async () => {
    const asked: (string | undefined)[] = [];
    const pages: V1PodList[] = [
      { items: [fullPod('a'), fullPod('b')], metadata: { resourceVersion: '100', _continue: 'page-2' } },
      { items: [fullPod('c')], metadata: { resourceVersion: '100', _continue: '' } },
    ];
    const list = await listSlimPods((page) => {
      asked.push(page._continue);
      assert.ok(page.limit > 0 && page.limit <= 1000, 'a bounded page size');
      return Promise.resolve(pages[asked.length - 1] ?? { items: [] });
    });
    assert.deepEqual(asked, [undefined, 'page-2']);
    assert.deepEqual(
      list.items.map((pod) => pod.metadata?.name),
      ['a', 'b', 'c'],
    );
    assert.equal(list.metadata?.resourceVersion, '100');
    assert.deepEqual(list.items[0]?.metadata?.labels, { app: 'shop', furnace: 'enabled' }, 'the labels');
  });
});
