// `symbols: image` on a real node (issue 43): podman inside a privileged container of the sidecar image, laid
// out as the webhook lays out the injected one (container storage on an emptyDir at /var/lib/containers, the
// pod's pull secret at /var/run/secrets/furnace-pull-secrets), pulls the application's image from a private
// registry with that secret, creates a container of it (never run) and mounts it: the mounted file is the
// program the application runs. These are the podman commands sidecar/symbols/image-symbols.ts runs, with its
// registries.conf.
//
// Stand-ins left: the registry is Debian's docker-registry on the node's bridge address (pods reach only the
// node), over plain HTTP, declared insecure in registries.conf (FURNACE_INSECURE_REGISTRIES) because no
// certificate authority the image trusts can sign for it here. The sidecar runs `sleep` instead of its
// recorder, so that `kubectl exec` drives podman: the Furnace has no field that sets
// FURNACE_INSECURE_REGISTRIES or a registry CA for injected sidecars, so a recording with `symbols: image`
// could not reach this registry (docs/sidecar.md, `image` symbols).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIDECAR_MOUNT_PATHS } from '../../core/contract/names.ts';
import { renderRegistriesConf } from '../../sidecar/symbols/image-symbols.ts';
import { FURNACE_IMAGES, podman } from '../harness/images/furnace-images.ts';
import { dockerConfigJson, PASSWORD, startRegistry, USER } from '../harness/image-registry.ts';
import { HOT_APP_IMAGE, buildHotAppImage } from '../harness/node/test-images.ts';
import { useNode } from '../harness/node/use-node.ts';
import { loadFurnaceImages } from './readme-walk-real-install.ts';
import { readyPod } from './readme-walk-real-pods.ts';

const node = await useNode();
const namespace = `image-symbols-${randomBytes(3).toString('hex')}`;

function sidecarPod() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'sidecar', namespace, labels: { app: 'sidecar' } },
    spec: {
      imagePullSecrets: [{ name: 'registry' }],
      containers: [
        {
          name: 'furnace',
          image: FURNACE_IMAGES.sidecar,
          command: ['sleep', 'infinity'],
          securityContext: { privileged: true, runAsUser: 0 },
          env: [{ name: 'CONTAINERS_REGISTRIES_CONF', value: '/etc/furnace-registries/registries.conf' }],
          volumeMounts: [
            { name: 'storage', mountPath: SIDECAR_MOUNT_PATHS.containerStorageDir },
            { name: 'pull-secrets', mountPath: SIDECAR_MOUNT_PATHS.pullSecretsDir, readOnly: true },
            { name: 'registries', mountPath: '/etc/furnace-registries', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: 'storage', emptyDir: { sizeLimit: '2Gi' } },
        {
          name: 'pull-secrets',
          projected: {
            sources: [
              {
                secret: {
                  name: 'registry',
                  items: [{ key: '.dockerconfigjson', path: 'registry.dockerconfigjson' }],
                },
              },
            ],
          },
        },
        { name: 'registries', configMap: { name: 'registries' } },
      ],
    },
  };
}

describe('podman in the privileged sidecar container on a real node', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join('/var/tmp', 'furnace-image-symbols-'));
    await loadFurnaceImages(node, dir);
    await node.kubectl(['create', 'namespace', namespace]);
  });
  after(async () => {
    await node.kubectl(['delete', 'namespace', namespace, '--wait=false']);
    await rm(dir, { recursive: true, force: true });
  });

  it('pulls the application image from a private registry with the pod’s pull secret, creates and mounts it', async (t) => {
    const registry = await startRegistry(t, dir, node.nodeIp);
    await buildHotAppImage(dir);
    const image = `${registry}/furnace-test/hot-app:${Date.now()}`;
    await podman(['tag', HOT_APP_IMAGE, image]);
    await podman(['push', '--quiet', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, image]);
    await podman(['rmi', image]);

    await node.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/dockerconfigjson',
        metadata: { name: 'registry', namespace },
        data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(registry)).toString('base64') },
      }),
    );
    await node.kubectl([
      'create',
      'configmap',
      'registries',
      '-n',
      namespace,
      `--from-literal=registries.conf=${renderRegistriesConf({}, [registry])}`,
    ]);
    await node.kubectl(['apply', '-f', '-'], JSON.stringify(sidecarPod()));
    await readyPod(node, namespace, 'app=sidecar');
    const exec = (args: string[]) =>
      node.kubectl(['exec', '-n', namespace, 'sidecar', '-c', 'furnace', '--', ...args]);
    const authFile = `${SIDECAR_MOUNT_PATHS.pullSecretsDir}/registry.dockerconfigjson`;

    await assert.rejects(
      exec(['podman', 'pull', '--quiet', image]),
      /unauthorized|authentication required/i,
      'no pull without the secret',
    );
    await exec(['podman', 'pull', '--quiet', '--authfile', authFile, image]);
    await exec(['podman', 'create', '--name', 'symbols', image, '/furnace-never-runs']);
    const root = (await exec(['podman', 'mount', 'symbols'])).trim().split('\n').at(-1) ?? '';
    const mounted = (await exec(['sha256sum', `${root}/furnace-hot`])).split(/\s+/)[0];
    // buildHotAppImage put the program it compiled into dir/hot-app at /furnace-hot of the image.
    const built = createHash('sha256')
      .update(await readFile(join(dir, 'hot-app', 'furnace-hot')))
      .digest('hex');
    assert.equal(mounted, built, 'the mounted image holds the program the application runs');
    t.diagnostic(`mounted at ${root}: /furnace-hot sha256 ${mounted ?? '?'}`);
    const driver = (await exec(['podman', 'info', '--format', '{{.Store.GraphDriverName}}']))
      .trim()
      .split('\n')
      .at(-1);
    t.diagnostic(`podman's storage driver in the container: ${driver ?? '?'}`);
    await exec(['podman', 'umount', 'symbols']);
    await exec(['podman', 'rm', 'symbols']);
  });
});
